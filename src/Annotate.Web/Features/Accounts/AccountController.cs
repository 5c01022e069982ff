using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Accounts;

public class LoginForm
{
    [Required, EmailAddress] public string Email { get; set; } = "";
    [Required, DataType(DataType.Password)] public string Password { get; set; } = "";
    public bool RememberMe { get; set; }
}

public class RegisterForm
{
    [Required, EmailAddress, MaxLength(256)] public string Email { get; set; } = "";
    [MaxLength(100)] public string? DisplayName { get; set; }
    [Required, MinLength(8), MaxLength(200), DataType(DataType.Password)] public string Password { get; set; } = "";
    [Required, DataType(DataType.Password), Compare(nameof(Password), ErrorMessage = "The two passwords differ.")] public string ConfirmPassword { get; set; } = "";
}

[Route("account")]
public class AccountController(SignInManager<AppUser> signIn, UserManager<AppUser> users) : Controller
{
    [HttpGet("login"), AllowAnonymous]
    public IActionResult Login(string? returnUrl) => View(new LoginForm());

    [HttpPost("login"), AllowAnonymous]
    public async Task<IActionResult> Login(LoginForm form, string? returnUrl)
    {
        if (!ModelState.IsValid) return View(form);
        var result = await signIn.PasswordSignInAsync(form.Email, form.Password, form.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded) return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/projects");
        ModelState.AddModelError("", result.IsLockedOut
            ? "Too many failed attempts: this account is locked for a few minutes. Try again later."
            : "Email or password is wrong.");
        return View(form);
    }

    [HttpGet("register"), AllowAnonymous]
    public IActionResult Register() => View(new RegisterForm());

    [HttpPost("register"), AllowAnonymous]
    public async Task<IActionResult> Register(RegisterForm form)
    {
        if (!ModelState.IsValid) return View(form);
        var user = AccountCommands.NewUser(form.Email, form.DisplayName);
        var result = await users.CreateAsync(user, form.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors) ModelState.AddModelError("", error.Description);
            return View(form);
        }
        await signIn.SignInAsync(user, isPersistent: false);
        return Redirect("/projects");
    }

    [HttpPost("logout")]
    public async Task<IActionResult> Logout()
    {
        await signIn.SignOutAsync();
        return Redirect("/account/login");
    }
}
