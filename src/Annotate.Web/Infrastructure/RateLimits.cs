using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Annotate.Web.Features.Annotations;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.SignalR;

namespace Annotate.Web.Infrastructure;

/// <summary>The limits, settings under <c>RateLimits</c> (e.g. <c>RateLimits__SignInsPerMinute</c>).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Sign-in attempts per client address (page and API together) per minute.</summary>
    public int SignInsPerMinute { get; set; } = 10;
    /// <summary>New accounts asked for per client address per hour.</summary>
    public int RegistrationsPerHour { get; set; } = 20;
    /// <summary>Writes (API and page forms, hub changes) per person per second, sustained...</summary>
    public int WritesPerSecond { get; set; } = 50;
    /// <summary>...and the burst allowed above it (a script importing, a person undoing fast).</summary>
    public int WriteBurst { get; set; } = 500;
    /// <summary>Members added by email per manager per hour: each answer says whether an account uses that email.</summary>
    public int MemberAddsPerHour { get; set; } = 60;
    /// <summary>Wrong passwords in a row, from one address for one account, before that address is locked out of it.</summary>
    public int LockoutFailures { get; set; } = 5;
    public int LockoutMinutes { get; set; } = 5;
}

/// <summary>
/// ASP.NET Core's rate limiter with Annotate's policies: sign-in and sign-up per client address, member adds per
/// manager, and every write per person. The write limit is one bucket per person shared by HTTP and the hub, so a
/// script cannot get around it by switching transport. A refusal is a 429 with <c>Retry-After</c>.
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Register = "register";
    public const string MemberAdd = "member-add";

    public static void AddAnnotateRateLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var limits = builder.Configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddSingleton(limits);
        services.AddSingleton<WriteLimiter>();

        // Behind a reverse proxy the client's address is in X-Forwarded-For; trusted only from the proxies named.
        var proxies = builder.Configuration["Proxy:KnownProxies"];
        if (!string.IsNullOrWhiteSpace(proxies))
            services.Configure<ForwardedHeadersOptions>(options =>
            {
                options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                options.KnownProxies.Clear();
                options.KnownIPNetworks.Clear();
                foreach (var address in proxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    options.KnownProxies.Add(IPAddress.Parse(address));
            });

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) => Refuse(context.HttpContext, context.Lease);
            options.AddPolicy(SignIn, http => RateLimitPartition.GetFixedWindowLimiter("sign-in " + ClientAddress(http),
                _ => Window(limits.SignInsPerMinute, TimeSpan.FromMinutes(1))));
            options.AddPolicy(Register, http => RateLimitPartition.GetFixedWindowLimiter("register " + ClientAddress(http),
                _ => Window(limits.RegistrationsPerHour, TimeSpan.FromHours(1))));
            options.AddPolicy(MemberAdd, http => RateLimitPartition.GetFixedWindowLimiter("member-add " + Caller(http),
                _ => Window(limits.MemberAddsPerHour, TimeSpan.FromHours(1))));
        });
        services.AddOptions<RateLimiterOptions>().Configure<WriteLimiter>((options, writes) =>
            options.GlobalLimiter = writes.ForRequests);
    }

    /// <summary>First in the pipeline, so everything after it (the limiter, logs) sees the client's own address.</summary>
    public static void UseClientAddressFromProxy(this WebApplication app)
    {
        if (!string.IsNullOrWhiteSpace(app.Configuration["Proxy:KnownProxies"])) app.UseForwardedHeaders();
    }

    /// <summary>Puts the sign-in and sign-up policies on Identity's token API endpoints.</summary>
    public static void LimitAccountEndpoints(this IEndpointConventionBuilder endpoints) => endpoints.Add(endpoint =>
    {
        var pattern = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? "";
        if (pattern.EndsWith("/login", StringComparison.OrdinalIgnoreCase)) endpoint.Metadata.Add(new EnableRateLimitingAttribute(SignIn));
        else if (pattern.EndsWith("/register", StringComparison.OrdinalIgnoreCase)
                 || pattern.EndsWith("/forgotPassword", StringComparison.OrdinalIgnoreCase)
                 || pattern.EndsWith("/resendConfirmationEmail", StringComparison.OrdinalIgnoreCase))
            endpoint.Metadata.Add(new EnableRateLimitingAttribute(Register));
    });

    public static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>The signed-in person, or the address for anyone else.</summary>
    public static string Caller(HttpContext http) =>
        http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user ? "user " + user : "address " + ClientAddress(http);

    public static TimeSpan? RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;

    public static string TooMany(TimeSpan? retryAfter) =>
        $"Too many requests from you in a short time; try again in {Seconds(retryAfter)} s. Scripts should wait for Retry-After; bulk work belongs in an import.";

    private static int Seconds(TimeSpan? after) => Math.Max(1, (int)Math.Ceiling((after ?? TimeSpan.FromSeconds(1)).TotalSeconds));

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = Math.Max(1, permits), Window = window, QueueLimit = 0, AutoReplenishment = true };

    private static async ValueTask Refuse(HttpContext http, RateLimitLease lease)
    {
        var after = RetryAfter(lease);
        http.Response.Headers.RetryAfter = Seconds(after).ToString(CultureInfo.InvariantCulture);
        await ErrorHandling.WriteProblemAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests", TooMany(after));
    }
}

/// <summary>One token bucket per person (or per address when signed out) for every write, over HTTP or the hub.</summary>
public sealed class WriteLimiter
{
    private const string Unlimited = "";
    private readonly PartitionedRateLimiter<string> byCaller;

    public WriteLimiter(RateLimitOptions limits)
    {
        byCaller = PartitionedRateLimiter.Create<string, string>(caller => caller == Unlimited
            ? RateLimitPartition.GetNoLimiter(Unlimited)
            : RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, limits.WriteBurst),
                TokensPerPeriod = Math.Max(1, limits.WritesPerSecond),
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        // Reads, and signing in or up (they have their own per-address policies), pass.
        ForRequests = byCaller.WithTranslatedKey<HttpContext>(http => IsWrite(http.Request) ? RateLimits.Caller(http) : Unlimited, leaveOpen: true);
    }

    public PartitionedRateLimiter<HttpContext> ForRequests { get; }

    public RateLimitLease TryWrite(string caller) => byCaller.AttemptAcquire(caller);

    private static bool IsWrite(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        && !request.Path.StartsWithSegments("/api/auth")
        && !request.Path.StartsWithSegments("/account/login")
        && !request.Path.StartsWithSegments("/account/register");
}

/// <summary>The hub's changes take from the same bucket as the caller's HTTP writes; a refusal is an ordinary ok:false answer.</summary>
public sealed class WriteLimitHubFilter(WriteLimiter writes) : IHubFilter
{
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (invocation.HubMethod.ReturnType != typeof(Task<ChangeResult>)) return next(invocation);
        var caller = invocation.Context.UserIdentifier is { } user ? "user " + user : "connection " + invocation.Context.ConnectionId;
        using var lease = writes.TryWrite(caller);
        if (lease.IsAcquired) return next(invocation);
        var after = RateLimits.RetryAfter(lease);
        return ValueTask.FromResult<object?>(new ChangeResult(false, StatusCodes.Status429TooManyRequests, null, "Too many requests",
            RateLimits.TooMany(after), null));
    }
}
