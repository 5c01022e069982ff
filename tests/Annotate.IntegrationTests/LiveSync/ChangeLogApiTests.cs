using Annotate.Web.Features.LiveSync;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>A log entry can only be made inside the change it belongs to: the write hands out the entries and closes them.</summary>
public class ChangeLogApiTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    [Fact]
    public async Task Entries_kept_past_their_write_cannot_append_and_the_write_logged_only_its_own()
    {
        var lead = await factory.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Log " + Guid.NewGuid());
        using var scope = factory.Services.CreateScope();
        var log = scope.ServiceProvider.GetRequiredService<ChangeLog>();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var userId = await db.Users.Where(u => u.Email == lead.Email).Select(u => u.Id).SingleAsync();

        ChangeEntries? kept = null;
        var sequence = await log.WriteAsync(projectId, entries =>
        {
            kept = entries;
            return Task.FromResult(entries.Append(ChangeKind.DocumentStateChanged, null, null, null, userId, userId, new { note = "inside" }).Sequence);
        });

        var outside = Assert.Throws<InvalidOperationException>(() => kept!.Append(ChangeKind.DocumentStateChanged, null, null, null, userId, userId, new { note = "outside" }));
        Assert.Contains("inside the change", outside.Message);
        var logged = await db.ChangeEvents.AsNoTracking().Where(e => e.ProjectId == projectId).Select(e => e.Sequence).ToListAsync();
        Assert.Equal([sequence], logged);
        Assert.Equal(sequence, await db.ProjectSequences.Where(s => s.ProjectId == projectId).Select(s => s.LastSequence).SingleAsync());
    }
}
