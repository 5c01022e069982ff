namespace Annotate.Web.Infrastructure;

public static class DatabaseSetup
{
    /// <summary>Migrations live in their own assembly (see migrations/); whoever loads it can apply them.</summary>
    public const string MigrationsAssembly = "Annotate.Migrations";

    public static void AddAnnotateDatabase(this WebApplicationBuilder builder)
    {
        // Read when first used, so hosts that add configuration late (the test factory) are honoured.
        builder.Services.AddDbContext<AppDbContext>((services, options) => Configure(options, ConnectionString(services)));
    }

    /// <summary>What the app's connections call themselves in pg_stat_activity: `./annotate restore` refuses while any is open.</summary>
    public const string ApplicationName = "annotate-web";

    public static string ConnectionString(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IConfiguration>().GetConnectionString("Default")
            ?? throw new InvalidOperationException(
                "No database configured: set ConnectionStrings__Default (./annotate up does this for its private PostgreSQL).");
        // Asked for by every DbContext: the parse is done once per configured value, not per request.
        var named = lastNamed;
        if (named is not null && named.Configured == configured) return named.Named;
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(configured);
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = ApplicationName;
        // Hosts with other databases (tests) may ask at the same time: each keeps its own answer.
        named = new(configured, builder.ConnectionString);
        lastNamed = named;
        return named.Named;
    }

    private sealed record NamedConnection(string Configured, string Named);
    private static NamedConnection? lastNamed;

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly));
}
