using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Accounts;

public class NameForm
{
    [Required(ErrorMessage = "Enter the name others see beside your work."),
     Limited(nameof(Limits.DisplayName))]
    public string DisplayName { get; set; } = "";
}

public class PasswordForm
{
    [Required(ErrorMessage = "Enter your current password."), DataType(DataType.Password),
     Limited(nameof(Limits.Password))]
    public string CurrentPassword { get; set; } = "";
    [Required(ErrorMessage = "Choose a new password of at least 8 characters."), NewPassword, DataType(DataType.Password)]
    public string NewPassword { get; set; } = "";
    [Required(ErrorMessage = "Type the new password again, to be sure it is the one you meant."), DataType(DataType.Password),
     Compare(nameof(NewPassword), ErrorMessage = "The two new passwords differ.")]
    public string ConfirmPassword { get; set; } = "";
}

public record AccountSettingsView(string Email, NameForm Name, PasswordForm Password);

/// <summary>A person's own account: the name others see, and the password.</summary>
[Authorize, Route("account")]
public class AccountSettingsController(UserManager<AppUser> users, SignInManager<AppUser> signIn) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index()
    {
        var user = await CurrentAsync();
        return View("Settings", new AccountSettingsView(user.Email!, new NameForm { DisplayName = user.DisplayName }, new PasswordForm()));
    }

    [HttpPost("name")]
    public async Task<IActionResult> SaveName([Bind(Prefix = "Name")] NameForm form)
    {
        var user = await CurrentAsync();
        if (string.IsNullOrWhiteSpace(form.DisplayName)) ModelState.AddModelError("Name.DisplayName", "Enter the name others see beside your work.");
        if (!ModelState.IsValid) return View("Settings", new AccountSettingsView(user.Email!, form, new PasswordForm()));
        user.DisplayName = form.DisplayName.Trim();
        await users.UpdateAsync(user);
        TempData["Notice"] = "Your name is saved. Pages opened from now on show it.";
        return Redirect("/account");
    }

    // Checking the current password is a password guess: it counts with sign-ins from the same address.
    [HttpPost("password"), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimits.SignIn)]
    public async Task<IActionResult> ChangePassword([Bind(Prefix = "Password")] PasswordForm form)
    {
        var user = await CurrentAsync();
        var view = new AccountSettingsView(user.Email!, new NameForm { DisplayName = user.DisplayName }, new PasswordForm());
        if (!ModelState.IsValid) return View("Settings", view);
        var result = await users.ChangePasswordAsync(user, form.CurrentPassword, form.NewPassword);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
                ModelState.AddModelError("Password", error.Code == nameof(IdentityErrorDescriber.PasswordMismatch)
                    ? "The current password is not right." : error.Description);
            return View("Settings", view);
        }
        // The change renews the account's security stamp, which ends its other sessions; this one goes on.
        await signIn.RefreshSignInAsync(user);
        TempData["Notice"] = "Your password is changed. Other browsers signed in as you are signed out within a minute.";
        return Redirect("/account");
    }

    private async Task<AppUser> CurrentAsync() =>
        await users.GetUserAsync(User) ?? throw new Infrastructure.ProblemException(401, "Sign in required", "Sign in again.");
}
