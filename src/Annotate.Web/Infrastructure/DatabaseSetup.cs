using Annotate.Web.Data;
using Microsoft.EntityFrameworkCore;

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

    public static string ConnectionString(IServiceProvider services) =>
        services.GetRequiredService<IConfiguration>().GetConnectionString("Default")
        ?? throw new InvalidOperationException(
            "No database configured: set ConnectionStrings__Default (./annotate up does this for its private PostgreSQL).");

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly));
}
