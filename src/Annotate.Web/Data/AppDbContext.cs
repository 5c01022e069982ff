using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;
using Annotate.Web.Features.Relations;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace Annotate.Web.Data;

/// <summary>The one database of the app. Each feature configures its own tables (IEntityTypeConfiguration in its folder).</summary>
public class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<AppUser>(options)
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<LabelDefinition> LabelDefinitions => Set<LabelDefinition>();
    public DbSet<Document> Documents => Set<Document>();
    public DbSet<DocumentState> DocumentStates => Set<DocumentState>();
    public DbSet<Annotation> Annotations => Set<Annotation>();
    public DbSet<Relation> Relations => Set<Relation>();
    public DbSet<ChangeEvent> ChangeEvents => Set<ChangeEvent>();
    public DbSet<ProjectSequence> ProjectSequences => Set<ProjectSequence>();
    public DbSet<Features.Agreement.AgreementReport> AgreementReports => Set<Features.Agreement.AgreementReport>();
    public DbSet<Features.Exports.Export> Exports => Set<Features.Exports.Export>();
    public DbSet<Features.Workflow.Assignment> Assignments => Set<Features.Workflow.Assignment>();
    public DbSet<Features.Curation.DocumentCuration> DocumentCurations => Set<Features.Curation.DocumentCuration>();
    public DbSet<Features.Curation.CurationDecision> CurationDecisions => Set<Features.Curation.CurationDecision>();
    public DbSet<Features.Agreement.PendingAgreementRun> PendingAgreementRuns => Set<Features.Agreement.PendingAgreementRun>();

    /// <summary>Accounts made through Identity's API endpoints arrive without a display name: use the email's local part.</summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        foreach (var entry in ChangeTracker.Entries<AppUser>())
            if (entry.State == EntityState.Added && string.IsNullOrWhiteSpace(entry.Entity.DisplayName))
                entry.Entity.DisplayName = (entry.Entity.Email ?? entry.Entity.UserName ?? "someone").Split('@')[0];
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // Trigram indexes let the document list's search (any part of a title or source) skip most rows.
        builder.HasPostgresExtension("pg_trgm");
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        SnakeCaseNaming.Apply(builder);
    }
}
