using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.Extensions.Options;

namespace Annotate.Web.Features.Accounts;

public static class PasswordRules
{
    /// <summary>The sign-up page's cap, for every door: hashing and parsing stay cheap whatever a client sends.</summary>
    public static int MaxLength => Limits.Password.Max;
    public const int MinLength = 8;
}

/// <summary>A password being chosen (sign-up, a change): its length rule in words a person can act on.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NewPasswordAttribute : System.ComponentModel.DataAnnotations.ValidationAttribute
{
    protected override System.ComponentModel.DataAnnotations.ValidationResult? IsValid(object? value, System.ComponentModel.DataAnnotations.ValidationContext context) =>
        value as string is { } password && CodePoints.Count(password) < PasswordRules.MinLength
            ? new($"A password needs at least {PasswordRules.MinLength} characters; a few words you will remember make a strong one.", [context.MemberName!])
            : !Limits.Password.Allows(value as string) ? new(Limits.Password.Message, [context.MemberName!])
            : System.ComponentModel.DataAnnotations.ValidationResult.Success;
}

/// <summary>
/// Signing in answers the same, in about the same time, for an unknown email, a wrong password and a locked
/// account: otherwise the answer (or its speed: a real account's check runs the slow password hash) tells anyone
/// which emails have accounts. Unknown and locked accounts check the password against a hash of nothing.
/// Wrong passwords lock out only the address they came from (<see cref="SignInLockouts"/>), for page and API alike.
/// </summary>
public sealed class AnnotateSignInManager(UserManager<AppUser> users, IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory, IOptions<IdentityOptions> options, ILogger<SignInManager<AppUser>> logger,
    IAuthenticationSchemeProvider schemes, IUserConfirmation<AppUser> confirmation, SignInLockouts lockouts)
    : SignInManager<AppUser>(users, contextAccessor, claimsFactory, options, logger, schemes, confirmation)
{
    private static string? decoyHash;

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        var address = RateLimits.ClientAddress(Context);
        // Identity's lockout end still means "disabled by an admin"; it is no longer set by wrong passwords.
        if (user is null || await lockouts.IsLockedOutAsync(user.Id, address)
            || UserManager.SupportsUserLockout && await UserManager.IsLockedOutAsync(user))
        {
            SpendAHash(password);
            return SignInResult.Failed;
        }
        var result = await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure: false);
        if (result.Succeeded) await lockouts.ForgetAsync(user.Id, address);
        else await lockouts.CountFailureAsync(user.Id, address);
        return result;
    }

    private void SpendAHash(string password)
    {
        decoyHash ??= UserManager.PasswordHasher.HashPassword(new AppUser(), Guid.NewGuid().ToString());
        UserManager.PasswordHasher.VerifyHashedPassword(new AppUser(), decoyHash, password);
    }
}

/// <summary>
/// The token API's account routes: passwords at most <see cref="Limits.Password"/> characters (400 before any
/// hashing), and registering a taken email answers like a new one (200), so the answer does not tell who has an account.
/// </summary>
public sealed class AccountApiEndpointFilter : IEndpointFilter
{
    private static readonly HashSet<string> TakenCodes = [nameof(IdentityErrorDescriber.DuplicateEmail), nameof(IdentityErrorDescriber.DuplicateUserName)];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            var passwords = argument switch
            {
                RegisterRequest r => [("password", r.Password)],
                LoginRequest l => [("password", l.Password)],
                ResetPasswordRequest r => [("newPassword", r.NewPassword)],
                InfoRequest i => [("newPassword", i.NewPassword), ("oldPassword", i.OldPassword)],
                _ => Array.Empty<(string, string?)>(),
            };
            foreach (var (field, password) in passwords)
                if (!Limits.Password.Allows(password))
                    throw ProblemException.Invalid($"\"{field}\": {Limits.Password.Message}", field, Limits.Password.Message);
        }

        var result = await next(context);
        if (result is INestedHttpResult { Result: ValidationProblem problem } && context.Arguments.Any(a => a is RegisterRequest))
        {
            var others = problem.ProblemDetails.Errors.Where(e => !TakenCodes.Contains(e.Key)).ToDictionary();
            if (others.Count == 0) return TypedResults.Ok();
            if (others.Count < problem.ProblemDetails.Errors.Count) return TypedResults.ValidationProblem(others);
        }
        return result;
    }

    /// <summary>Identity's codes for "this email already has an account", which the page leaves out too.</summary>
    public static bool SaysTaken(IdentityError error) => TakenCodes.Contains(error.Code);
}
