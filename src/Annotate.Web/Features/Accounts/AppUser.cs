using Microsoft.AspNetCore.Identity;

namespace Annotate.Web.Features.Accounts;

public class AppUser : IdentityUser
{
    /// <summary>Shown beside a person's spans and in presence lists; defaults to the part of the email before '@'.</summary>
    public string DisplayName { get; set; } = "";

    public const string AdminRole = "admin";
}
