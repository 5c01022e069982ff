using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Accounts;

public record UserRow(string Id, string Email, string DisplayName, bool Admin, bool Disabled, int Projects);

public record UsersPage(IReadOnlyList<UserRow> Users, string Query, int Page, int Total, int PageSize, string CurrentUserId);

/// <summary>
/// Site admins' page of every account (beside `annotate user add`): find one, disable or enable it, give it a new
/// password, make or unmake a site admin. An admin cannot disable or unmake themselves, so the site always keeps one.
/// </summary>
[Route("admin/users"), Authorize(Policy = JobsSetup.SiteAdminPolicy)]
public class UsersAdminController(AppDbContext db, UserManager<AppUser> users, RoleManager<IdentityRole> roles, DisabledAccounts disabled) : Controller
{
    private const int PageSize = 50;

    [HttpGet("")]
    public async Task<IActionResult> Index(string? q, int page = 1)
    {
        page = Math.Max(1, page);
        var query = db.Users.AsQueryable();
        if (!string.IsNullOrWhiteSpace(q))
        {
            var pattern = "%" + q.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(u => EF.Functions.ILike(u.Email!, pattern, "\\") || EF.Functions.ILike(u.DisplayName, pattern, "\\"));
        }
        var total = await query.CountAsync();
        var adminRoleId = await db.Roles.Where(r => r.Name == AppUser.AdminRole).Select(r => r.Id).FirstOrDefaultAsync();
        var farFuture = DateTimeOffset.UtcNow.AddYears(100);
        var rows = await query.OrderBy(u => u.NormalizedEmail).Skip((page - 1) * PageSize).Take(PageSize)
            .Select(u => new UserRow(u.Id, u.Email!, u.DisplayName,
                db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == adminRoleId),
                u.LockoutEnd > farFuture,
                db.ProjectMembers.Count(m => m.UserId == u.Id)))
            .ToListAsync();
        return View("Users", new UsersPage(rows, q ?? "", page, total, PageSize, users.GetUserId(User)!));
    }

    [HttpPost("{id}/disable")]
    public Task<IActionResult> Disable(string id) => ChangeAsync(id, "disable", async user =>
    {
        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, DisabledAccounts.Forever);
        // Ends their cookie sessions at the next check; bearer tokens and hub calls are refused by DisabledAccounts.
        await users.UpdateSecurityStampAsync(user);
        disabled.Forget();
        return $"{user.Email} is disabled: they are signed out and cannot sign in.";
    });

    [HttpPost("{id}/enable")]
    public Task<IActionResult> Enable(string id) => ChangeAsync(id, "enable", async user =>
    {
        await users.SetLockoutEndDateAsync(user, null);
        disabled.Forget();
        return $"{user.Email} is enabled again.";
    });

    [HttpPost("{id}/password")]
    public Task<IActionResult> ResetPassword(string id) => ChangeAsync(id, "password", async user =>
    {
        var password = AccountCommands.GeneratePassword();
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, password);
        if (!result.Succeeded) throw ProblemException.BadRequest(string.Join(" ", result.Errors.Select(e => e.Description)));
        // Shown once, to the admin who asked; never stored in the clear or logged.
        return $"New password for {user.Email}: {password} (tell them, and that they can change it on their account page).";
    });

    [HttpPost("{id}/admin")]
    public Task<IActionResult> MakeAdmin(string id) => ChangeAsync(id, "admin", async user =>
    {
        if (!await roles.RoleExistsAsync(AppUser.AdminRole)) await roles.CreateAsync(new IdentityRole(AppUser.AdminRole));
        if (!await users.IsInRoleAsync(user, AppUser.AdminRole)) await users.AddToRoleAsync(user, AppUser.AdminRole);
        return $"{user.Email} is a site admin.";
    });

    [HttpPost("{id}/unadmin")]
    public Task<IActionResult> RemoveAdmin(string id) => ChangeAsync(id, "unadmin", async user =>
    {
        if (await users.IsInRoleAsync(user, AppUser.AdminRole)) await users.RemoveFromRoleAsync(user, AppUser.AdminRole);
        await users.UpdateSecurityStampAsync(user); // the role is in their sign-in: renew it
        return $"{user.Email} is no longer a site admin.";
    });

    private async Task<IActionResult> ChangeAsync(string id, string action, Func<AppUser, Task<string>> change)
    {
        var user = await users.FindByIdAsync(id) ?? throw ProblemException.NotFound("No account has that id; it may have been removed.");
        if (user.Id == users.GetUserId(User) && action is "disable" or "unadmin")
            throw ProblemException.Conflict("You cannot disable yourself or take away your own admin role: ask another site admin.");
        TempData["Notice"] = await change(user);
        return Redirect("/admin/users?q=" + Uri.EscapeDataString(user.Email ?? ""));
    }
}
