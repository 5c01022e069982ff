namespace Annotate.Web.Infrastructure;

public static class DatabaseSetup
{
    /// <summary>Migrations live in their own assembly (see migrations/); whoever loads it can apply them.</summary>
    public const string MigrationsAssembly = "Annotate.Migrations";

    public static void AddAnnotateDatabase(this WebApplicationBuilder builder)
    {
        // Read when first used, so hosts that add configuration late (the test factory) are honoured.
        // Pooled: a new context resolves dozens of EF's internal services under locks, and every request, change-log batch
        // and broadcast takes one; a profile of span creates spent more of the app's CPU there than in the create itself.
        // The pool resets each context (tracked entities, transaction, settings) before it is handed out again.
        builder.Services.AddDbContextPool<AppDbContext>((services, options) => Configure(options, AppPoolConnectionString(services)));
    }

    /// <summary>
    /// The connection string of the app's own pool (EF and the change log's batches on its connections), tuned for the
    /// write path where the configured string does not say otherwise:
    /// - its statements are prepared once per connection after two uses (a span create sends eight, each otherwise
    ///   parsed and planned again by PostgreSQL on every call: about a third of PostgreSQL's time per create);
    /// - a connection going back to the pool is not reset with DISCARD ALL, which would also drop those prepared
    ///   statements and every plan PostgreSQL cached for the triggers and foreign keys. Nothing on these connections
    ///   leaves session state behind: transactions always end, and nothing SETs, LISTENs or takes session locks here
    ///   (the broadcaster's LISTEN, Hangfire and presence use connections of their own, which are reset).
    /// </summary>
    public static string AppPoolConnectionString(IServiceProvider services)
    {
        var plain = ConnectionString(services);
        var tuned = lastTuned;
        if (tuned is not null && tuned.Configured == plain) return tuned.Named;
        var said = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = plain }; // only the keys it sets
        bool Says(params string[] keys) => keys.Any(said.ContainsKey);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(plain);
        if (!Says("Max Auto Prepare", "MaxAutoPrepare")) builder.MaxAutoPrepare = 64;
        if (!Says("Auto Prepare Min Usages", "AutoPrepareMinUsages")) builder.AutoPrepareMinUsages = 2;
        if (!Says("No Reset On Close", "NoResetOnClose")) builder.NoResetOnClose = true;
        tuned = new(plain, builder.ConnectionString);
        lastTuned = tuned;
        return tuned.Named;
    }

    private static NamedConnection? lastTuned;

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
