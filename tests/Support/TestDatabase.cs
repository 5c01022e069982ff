using Annotate.Web.Data;
using Annotate.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Annotate.Testing;

/// <summary>
/// One fresh, migrated database per test process on the throwaway PostgreSQL that ./annotate test starts
/// (ANNOTATE_TEST_POSTGRES). Tests share it and keep apart by creating their own users and projects.
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<Task<string>> Created = new(CreateAsync);

    public static Task<string> ConnectionStringAsync() => Created.Value;

    public static string Server =>
        Environment.GetEnvironmentVariable("ANNOTATE_TEST_POSTGRES")
        ?? throw new InvalidOperationException(
            "ANNOTATE_TEST_POSTGRES is not set: run the tests with ./annotate test, which starts a throwaway PostgreSQL.");

    /// <summary>Another fresh, migrated database, for tests whose app nodes must share nothing with the other tests.</summary>
    public static Task<string> CreateSeparateAsync() => CreateAsync();

    private static async Task<string> CreateAsync()
    {
        var name = "annotate_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(Server + ";Database=postgres"))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = Server + ";Database=" + name;
        var options = new DbContextOptionsBuilder<AppDbContext>();
        DatabaseSetup.Configure(options, connectionString);
        await using var db = new AppDbContext(options.Options);
        await db.Database.MigrateAsync();
        return connectionString;
    }
}
