using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Annotate.Web.Features.Accounts;

/// <summary>Account creation shared by sign-up, the demo seed and `annotate user add`.</summary>
public static class AccountCommands
{
    public static AppUser NewUser(string email, string? displayName = null) => new()
    {
        UserName = email.Trim(),
        Email = email.Trim(),
        EmailConfirmed = true,
        DisplayName = string.IsNullOrWhiteSpace(displayName) ? email.Trim().Split('@')[0] : displayName.Trim(),
    };

    /// <summary>Creates the account (or, when it exists, sets its password); returns Identity's errors as one line.</summary>
    public static async Task<(AppUser? User, string? Error)> CreateOrResetAsync(
        UserManager<AppUser> users, RoleManager<IdentityRole> roles, string email, string password, bool admin, string? displayName = null)
    {
        var user = await users.FindByEmailAsync(email);
        IdentityResult result;
        if (user is null)
        {
            user = NewUser(email, displayName);
            result = await users.CreateAsync(user, password);
        }
        else
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            result = await users.ResetPasswordAsync(user, token, password);
        }
        if (!result.Succeeded) return (null, string.Join(" ", result.Errors.Select(e => e.Description)));
        if (admin)
        {
            if (!await roles.RoleExistsAsync(AppUser.AdminRole)) await roles.CreateAsync(new IdentityRole(AppUser.AdminRole));
            if (!await users.IsInRoleAsync(user, AppUser.AdminRole)) await users.AddToRoleAsync(user, AppUser.AdminRole);
        }
        return (user, null);
    }

    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
}
