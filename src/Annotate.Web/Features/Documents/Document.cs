using Annotate.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Documents;

public class Document
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public string Title { get; set; } = "";
    public string? Source { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    /// <summary>Exactly as imported: no newline or Unicode normalisation (only a file's leading BOM is dropped).</summary>
    public string Text { get; set; } = "";
    /// <summary>Lower-case hex SHA-256 of the text's UTF-8 bytes; a re-import of the same text is recognised by it.</summary>
    public string Sha256 { get; set; } = "";
    /// <summary>Length in Unicode code points, the unit of every offset outside the browser.</summary>
    public int Length { get; set; }
    /// <summary>Free-form JSON object from the import.</summary>
    public string Meta { get; set; } = "{}";
    public string? ImportedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public Project? Project { get; set; }
}

public enum DocumentStatus { New, InProgress, Finished }

/// <summary>Where one annotator stands with one document.</summary>
public class DocumentState
{
    public long DocumentId { get; set; }
    public string UserId { get; set; } = "";
    public DocumentStatus Status { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Document? Document { get; set; }
    public AppUser? User { get; set; }
}

public class DocumentConfiguration : IEntityTypeConfiguration<Document>
{
    public void Configure(EntityTypeBuilder<Document> document)
    {
        document.Property(d => d.Title).HasMaxLength(Limits.DocumentTitle.Max);
        document.Property(d => d.Source).HasMaxLength(Limits.DocumentSource.Max);
        document.Property(d => d.Sha256).HasMaxLength(64);
        document.Property(d => d.Meta).HasColumnType("jsonb");
        document.HasIndex(d => new { d.ProjectId, d.Sha256 }).IsUnique();
        // The document list's keyset: a page is the next N ids of one project after the cursor's.
        document.HasIndex(d => new { d.ProjectId, d.Id });
        // The list's search is ILIKE '%words%' on title and source: trigram indexes answer it without reading every row.
        document.HasIndex(d => d.Title).HasMethod("gin").HasOperators("gin_trgm_ops").HasDatabaseName("ix_documents_title_trgm");
        document.HasIndex(d => d.Source).HasMethod("gin").HasOperators("gin_trgm_ops").HasDatabaseName("ix_documents_source_trgm");
        document.HasIndex(d => d.ImportedById);
        document.HasOne(d => d.Project).WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Cascade);
        document.HasOne<AppUser>().WithMany().HasForeignKey(d => d.ImportedById).OnDelete(DeleteBehavior.SetNull);
        document.ToTable(t =>
        {
            t.HasCheckConstraint("ck_documents_length", "length > 0 AND length = char_length(text)");
            t.HasCheckConstraint("ck_documents_meta_object", "jsonb_typeof(meta) = 'object'");
        });
    }
}

public class DocumentStateConfiguration : IEntityTypeConfiguration<DocumentState>
{
    public void Configure(EntityTypeBuilder<DocumentState> state)
    {
        state.HasKey(s => new { s.DocumentId, s.UserId });
        state.Property(s => s.Status).HasConversion(new SnakeCaseEnumConverter<DocumentStatus>()).HasMaxLength(16);
        state.HasIndex(s => s.UserId);
        state.HasOne(s => s.Document).WithMany().HasForeignKey(s => s.DocumentId).OnDelete(DeleteBehavior.Cascade);
        state.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        state.ToTable(t => t.HasCheckConstraint("ck_document_states_status", "status IN ('new', 'in_progress', 'finished')"));
    }
}
