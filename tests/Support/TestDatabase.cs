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

    /// <summary>
    /// Writes <paramref name="count"/> spans of the project's manager straight into the database (fast set-up for size
    /// tests and benchmarks), one every <paramref name="spacing"/> characters. <paramref name="mixed"/> varies their
    /// lengths (9, 15 or 21) and makes every fifth a claim, as a real article's spans are.
    /// </summary>
    public static async Task SeedSpansAsync(long documentId, int count, int spacing = 20, bool mixed = false)
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync());
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO annotations (id, project_id, document_id, annotator_id, layer, label, start, "end", text, attributes, version, origin, created_at, updated_at)
            SELECT gen_random_uuid(), d.project_id, d.id, m.user_id, s.layer, s.label, s.start, s.start + s.length,
                   substring(d.text FROM s.start + 1 FOR s.length), '{}', 1, 'imported', now(), now()
            FROM documents d
            JOIN project_members m ON m.project_id = d.project_id AND m.role = 'manager'
            CROSS JOIN generate_series(0, @count - 1) AS g
            CROSS JOIN LATERAL (SELECT g * @spacing AS start,
                CASE WHEN @mixed THEN 9 + (g % 3) * 6 ELSE 9 END AS length,
                CASE WHEN @mixed AND g % 5 = 0 THEN 'claim' ELSE 'entity' END AS layer,
                CASE WHEN @mixed AND g % 5 = 0 THEN 'CLAIM' ELSE 'ORGANIZATION' END AS label) s
            WHERE d.id = @document
            """, connection);
        insert.Parameters.AddWithValue("count", count);
        insert.Parameters.AddWithValue("spacing", spacing);
        insert.Parameters.AddWithValue("mixed", mixed);
        insert.Parameters.AddWithValue("document", documentId);
        await insert.ExecuteNonQueryAsync();
    }

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
        await MigrateAsync(connectionString);
        return connectionString;
    }

    /// <summary>Brings a database to the latest migration (the app's own tables and triggers).</summary>
    public static async Task MigrateAsync(string connectionString)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        DatabaseSetup.Configure(options, connectionString);
        await using var db = new AppDbContext(options.Options);
        await db.Database.MigrateAsync();
    }
}
