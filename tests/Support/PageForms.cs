using System.Text.RegularExpressions;
using Annotate.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Testing;

/// <summary>Driving the app's pages as a browser does: cookies, the form's antiforgery token, no redirects followed.</summary>
public static partial class PageForms
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    public static HttpClient Browser(this AnnotateFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>The antiforgery token of the first form on <paramref name="formPage"/>.</summary>
    public static async Task<string> FormTokenAsync(this HttpClient client, string formPage) =>
        FormToken().Match(await client.GetStringAsync(formPage)).Groups[1].Value;

    /// <summary>Opens <paramref name="formPage"/> for its token, then posts the fields to <paramref name="action"/>.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string formPage, string action, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await client.FormTokenAsync(formPage);
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    /// <summary>A GET as a browser sends it (asking for HTML).</summary>
    public static Task<HttpResponseMessage> GetPageAsync(this HttpClient client, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        return client.SendAsync(request);
    }

    /// <summary>A browser signed in, through the sign-in page, to a new account (a site admin when asked).</summary>
    public static async Task<(HttpClient Browser, string Email, string UserId)> SignedInBrowserAsync(this AnnotateFactory factory, string who, bool admin = false)
    {
        var email = AnnotateFactory.NewEmail(who);
        using (var scope = factory.Services.CreateScope())
        {
            var (user, error) = await AccountCommands.CreateOrResetAsync(scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>(),
                scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>(), email, AnnotateFactory.Password, admin);
            if (user is null) throw new InvalidOperationException(error);
        }
        var browser = factory.Browser();
        var signedIn = await browser.PostFormAsync("/account/login", "/account/login", new() { ["Email"] = email, ["Password"] = AnnotateFactory.Password });
        if (signedIn.StatusCode != System.Net.HttpStatusCode.Redirect) throw new InvalidOperationException($"signing in {email} answered {signedIn.StatusCode}");
        using var lookup = factory.Services.CreateScope();
        var id = (await lookup.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email))!.Id;
        return (browser, email, id);
    }
}
