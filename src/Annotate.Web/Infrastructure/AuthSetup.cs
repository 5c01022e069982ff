using Annotate.Web.Features.Accounts;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Annotate.Web.Infrastructure;

public static class AuthSetup
{
    /// <summary>Picks the bearer handler for scripts (header, or access_token query on the hub) and the cookie otherwise.</summary>
    private const string CookieOrBearer = "CookieOrBearer";

    public static void AddAnnotateAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieOrBearer;
                options.DefaultChallengeScheme = CookieOrBearer;
            })
            .AddPolicyScheme(CookieOrBearer, "Cookie or bearer token", options =>
            {
                options.ForwardDefaultSelector = context => UsesBearerToken(context.Request)
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme;
            })
            .AddBearerToken(IdentityConstants.BearerScheme, options =>
            {
                options.BearerTokenExpiration = TimeSpan.FromHours(8);
                options.Events.OnMessageReceived = context =>
                {
                    // Browsers' WebSocket API cannot set headers, so SignalR clients send the token in the query.
                    if (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query.TryGetValue("access_token", out var token))
                        context.Token = token;
                    return Task.CompletedTask;
                };
            })
            .AddIdentityCookies();
        // Post-configuration runs after the bearer scheme's own set-up, which creates the protector this wraps.
        services.AddSingleton<IPostConfigureOptions<BearerTokenOptions>, RememberedBearerTickets.Setup>();

        services.AddIdentityCore<AppUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 8;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
                // Wrong passwords are counted per account and address by AnnotateSignInManager, not here.
                options.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddDefaultTokenProviders()
            .AddApiEndpoints()
            // After AddApiEndpoints, which registers the plain sign-in manager again.
            .AddSignInManager<AnnotateSignInManager>();
        services.AddScoped<SignInLockouts>();
        services.AddSingleton<DisabledAccounts>();
        // How soon a changed password, a disabled account or a changed admin role reaches other cookie sessions
        // (each check reads the account once; setting Accounts__SessionCheckSeconds).
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IConfiguration>((options, configuration) =>
            options.ValidationInterval = TimeSpan.FromSeconds(configuration.GetValue("Accounts:SessionCheckSeconds", 60)));

        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.AccessDeniedPath = "/account/login";
            options.Cookie.Name = "annotate.auth";
            options.Cookie.HttpOnly = true;
            // Secure whenever the request came over HTTPS (directly or through a known proxy): never sent in the clear.
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // Strict: no other site can make a browser send it, one of two guards against cross-site requests.
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.SlidingExpiration = true;
            options.ExpireTimeSpan = TimeSpan.FromDays(7);
            options.Events.OnRedirectToLogin = context => RejectOrRedirect(context.HttpContext, 401, context.RedirectUri);
            options.Events.OnRedirectToAccessDenied = context =>
                // Hangfire's dashboard is for site admins only: anyone else signed in is told so, not sent to sign in again.
                context.Request.Path.StartsWithSegments(JobsSetup.DashboardPath)
                    ? Reject(context.HttpContext, 403)
                    : RejectOrRedirect(context.HttpContext, 403, context.RedirectUri);
        });
        services.AddAntiforgery(options =>
        {
            options.HeaderName = "RequestVerificationToken";
            options.Cookie.Name = "annotate.antiforgery";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddAuthorization();
    }

    public static bool UsesBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        || (request.Path.StartsWithSegments("/hubs") && request.Query.ContainsKey("access_token"));

    private static Task Reject(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>Scripts get a status code; people are sent to the sign-in page.</summary>
    private static Task RejectOrRedirect(HttpContext context, int status, string redirectUri)
    {
        if (ErrorHandling.WantsProblemJson(context))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(redirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The page's scripts call the API with the auth cookie; such unsafe requests must also carry the
    /// antiforgery token (from the page's meta tag), so no other site can act for a signed-in person.
    /// Bearer-token requests are not at risk (browsers never attach the token by themselves).
    /// </summary>
    public static void UseCookieApiAntiforgery(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var unsafeMethod = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
            if (unsafeMethod
                && request.Path.StartsWithSegments("/api")
                && !request.Path.StartsWithSegments("/api/auth")
                && !UsesBearerToken(request)
                && context.User.Identity?.IsAuthenticated == true)
            {
                var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(context))
                    throw new ProblemException(400, "Missing antiforgery token",
                        "Requests made with the sign-in cookie must send the RequestVerificationToken header from the page; scripts should use a bearer token.");
            }
            await next();
        });
    }
}
