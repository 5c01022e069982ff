using Annotate.Web.Data;
using Annotate.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Migrations;

/// <summary>Applies every pending migration to the database named by ConnectionStrings__Default, then exits.</summary>
public static class MigrateProgram
{
    public static async Task<int> Main()
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Default");
        if (string.IsNullOrEmpty(connectionString))
        {
            Console.Error.WriteLine("Set ConnectionStrings__Default to the database to migrate (./annotate up does this).");
            return 2;
        }
        var options = new DbContextOptionsBuilder<AppDbContext>();
        DatabaseSetup.Configure(options, connectionString);
        await using var db = new AppDbContext(options.Options);
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        await db.Database.MigrateAsync();
        Console.WriteLine(pending.Count == 0 ? "Database schema is up to date." : $"Applied {pending.Count} migration(s): {string.Join(", ", pending)}.");
        return 0;
    }
}
