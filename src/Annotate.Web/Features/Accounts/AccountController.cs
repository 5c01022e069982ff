using Microsoft.AspNetCore.RateLimiting;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Accounts;

// Each rule says in words what a person must change: the framework's own messages read like
// "must be a string or array type with a minimum length of '8'".
public class LoginForm
{
    [Required(ErrorMessage = AccountMessages.EmailRequired), EmailAddress(ErrorMessage = AccountMessages.EmailInvalid)]
    public string Email { get; set; } = "";
    [Required(ErrorMessage = "Enter your password."), DataType(DataType.Password),
     Limited(nameof(Limits.Password))]
    public string Password { get; set; } = "";
    public bool RememberMe { get; set; }
}

public class RegisterForm
{
    [Required(ErrorMessage = AccountMessages.EmailRequired), EmailAddress(ErrorMessage = AccountMessages.EmailInvalid),
     Limited(nameof(Limits.Email))]
    public string Email { get; set; } = "";
    [Limited(nameof(Limits.DisplayName))] public string? DisplayName { get; set; }
    [Required(ErrorMessage = "Choose a password of at least 8 characters."), NewPassword, DataType(DataType.Password)]
    public string Password { get; set; } = "";
    [Required(ErrorMessage = "Type the password again, to be sure it is the one you meant."), DataType(DataType.Password),
     Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
    public string ConfirmPassword { get; set; } = "";
}

internal static class AccountMessages
{
    public const string EmailRequired = "Enter your email address.";
    public const string EmailInvalid = "That is not an email address: it looks like name@example.org.";
    // One message for an unknown email, a wrong password and a locked account: which one it was would tell
    // anyone whether the email has an account.
    public const string SignInFailed = "Email or password is wrong. After 5 wrong passwords in a row from one place, signing in to that account from there pauses for 5 minutes.";
    public const string Registered = "If no account used that address, yours is ready: sign in with it.";
}

[Route("account")]
public class AccountController(SignInManager<AppUser> signIn, UserManager<AppUser> users) : Controller
{
    [HttpGet("login"), AllowAnonymous]
    public IActionResult Login(string? returnUrl) => View(new LoginForm());

    [HttpPost("login"), AllowAnonymous, EnableRateLimiting(RateLimits.SignIn)]
    public async Task<IActionResult> Login(LoginForm form, string? returnUrl)
    {
        if (!ModelState.IsValid) return View(form);
        var result = await signIn.PasswordSignInAsync(form.Email, form.Password, form.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded) return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/projects");
        ModelState.AddModelError("", AccountMessages.SignInFailed);
        return View(form);
    }

    [HttpGet("register"), AllowAnonymous]
    public IActionResult Register() => View(new RegisterForm());

    [HttpPost("register"), AllowAnonymous, EnableRateLimiting(RateLimits.Register)]
    public async Task<IActionResult> Register(RegisterForm form)
    {
        if (!ModelState.IsValid) return View(form);
        var user = AccountCommands.NewUser(form.Email, form.DisplayName);
        var result = await users.CreateAsync(user, form.Password);
        // A taken email answers like a free one (the password was hashed either way, so the time is alike too), and
        // neither signs in: a signed-in answer for new addresses only would tell who already has an account.
        var errors = result.Errors.Where(e => !AccountApiEndpointFilter.SaysTaken(e)).ToList();
        if (errors.Count > 0)
        {
            foreach (var error in errors) ModelState.AddModelError("", error.Description);
            return View(form);
        }
        TempData["Notice"] = AccountMessages.Registered;
        return Redirect("/account/login");
    }

    [HttpPost("logout")]
    public async Task<IActionResult> Logout()
    {
        await signIn.SignOutAsync();
        return Redirect("/account/login");
    }
}
