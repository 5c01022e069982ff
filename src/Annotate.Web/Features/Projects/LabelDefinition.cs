using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Projects;

/// <summary>Entities and claims are span labels; relations link two claims.</summary>
public enum LabelKind { Entity, Claim, Relation }

public partial class LabelDefinition
{
    /// <summary>Only ASCII letters, digits, '_' and '-', so its code points and UTF-16 units are one count (<see cref="Limits.LabelName"/>).</summary>
    public static readonly string NameRule = $"A label name has 1 to {Limits.LabelName.Max} letters, digits, '_' or '-' (it is stored in capitals).";

    /// <summary>
    /// The one rule for a label's name (given in capitals), whoever creates the label: the labels page and an
    /// annotated import alike, so a label made by either can be edited and saved again on the page.
    /// </summary>
    public static bool IsValidName(string upperName) => Limits.LabelName.Allows(upperName) && NamePattern().IsMatch(upperName);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Z0-9_-]+$")]
    private static partial System.Text.RegularExpressions.Regex NamePattern();

    public long Id { get; set; }
    public long ProjectId { get; set; }
    public LabelKind Kind { get; set; }
    public string Name { get; set; } = "";
    /// <summary>CSS colour as #rrggbb.</summary>
    public string Colour { get; set; } = "#888888";
    /// <summary>The single keyboard key that applies this label in the editor, if any.</summary>
    public string? Key { get; set; }
    public int SortOrder { get; set; }

    public Project? Project { get; set; }

    /// <summary>The set a new project starts with: what news annotation needs most often.</summary>
    public static IEnumerable<LabelDefinition> DefaultsForNews() =>
    [
        new() { Kind = LabelKind.Entity, Name = "PERSON", Colour = "#e6194b", Key = "p", SortOrder = 1 },
        new() { Kind = LabelKind.Entity, Name = "ORGANIZATION", Colour = "#4363d8", Key = "o", SortOrder = 2 },
        new() { Kind = LabelKind.Entity, Name = "LOCATION", Colour = "#3cb44b", Key = "l", SortOrder = 3 },
        new() { Kind = LabelKind.Entity, Name = "FACILITY", Colour = "#f58231", Key = "f", SortOrder = 4 },
        new() { Kind = LabelKind.Entity, Name = "EVENT", Colour = "#911eb4", Key = "e", SortOrder = 5 },
        new() { Kind = LabelKind.Entity, Name = "EQUIPMENT", Colour = "#808000", Key = "w", SortOrder = 6 },
        new() { Kind = LabelKind.Entity, Name = "DATE", Colour = "#469990", Key = "d", SortOrder = 7 },
        new() { Kind = LabelKind.Entity, Name = "QUANTITY", Colour = "#9a6324", Key = "q", SortOrder = 8 },
        new() { Kind = LabelKind.Claim, Name = "CLAIM", Colour = "#c47f00", Key = "c", SortOrder = 9 },
        new() { Kind = LabelKind.Relation, Name = "CONTRADICTS", Colour = "#d62728", SortOrder = 10 },
        new() { Kind = LabelKind.Relation, Name = "SUPPORTS", Colour = "#2ca02c", SortOrder = 11 },
    ];
}

public class LabelDefinitionConfiguration : IEntityTypeConfiguration<LabelDefinition>
{
    public void Configure(EntityTypeBuilder<LabelDefinition> label)
    {
        label.Property(l => l.Kind).HasConversion(new SnakeCaseEnumConverter<LabelKind>()).HasMaxLength(16);
        label.Property(l => l.Name).HasMaxLength(Limits.LabelName.Max);
        label.Property(l => l.Colour).HasMaxLength(7);
        label.Property(l => l.Key).HasMaxLength(1);
        label.HasIndex(l => new { l.ProjectId, l.Kind, l.Name }).IsUnique();
        label.HasIndex(l => new { l.ProjectId, l.Key }).IsUnique().HasFilter("key IS NOT NULL");
        label.HasOne(l => l.Project).WithMany(p => p.Labels).HasForeignKey(l => l.ProjectId).OnDelete(DeleteBehavior.Cascade);
        label.ToTable(t =>
        {
            t.HasCheckConstraint("ck_label_definitions_kind", "kind IN ('entity', 'claim', 'relation')");
            t.HasCheckConstraint("ck_label_definitions_colour", "colour ~ '^#[0-9a-fA-F]{6}$'");
        });
    }
}
