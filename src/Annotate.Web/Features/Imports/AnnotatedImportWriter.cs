using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.LiveSync;
using Annotate.Web.Features.Relations;

namespace Annotate.Web.Features.Imports;

/// <summary>
/// Stores the spans and relations of newly imported annotated articles, inside the import's transaction: any problem
/// (a label the project lacks, an annotator who is not a member, a relation whose end is not in the import) throws, and
/// the whole import is rolled back. Each span and link gets its change-log entry in the same transaction.
/// </summary>
public static class AnnotatedImportWriter
{
    public static async Task<(int Spans, int Relations)> WriteAsync(AppDbContext db, ChangeLog log, long projectId, string importerId, ImportMode mode,
        List<(long DocumentId, ParsedAnnotatedArticle Article)> articles, CancellationToken cancel)
    {
        var errors = new List<ImportError>();
        var labels = await db.LabelDefinitions.Where(l => l.ProjectId == projectId).ToListAsync(cancel);
        var members = await db.ProjectMembers.Where(m => m.ProjectId == projectId)
            .Select(m => new { m.UserId, Email = m.User!.NormalizedEmail }).ToListAsync(cancel);
        var now = Clock.Now;
        var created = new List<LabelDefinition>();

        LabelDefinition? Label(string name, LabelKind kind, ParsedAnnotatedArticle article)
        {
            var upper = name.Trim().ToUpperInvariant();
            // A span label may be of either span kind (the project's definition decides the layer); a relation's must be a relation label.
            var found = labels.FirstOrDefault(l => l.Name == upper && (kind == LabelKind.Relation ? l.Kind == LabelKind.Relation : l.Kind != LabelKind.Relation));
            if (found is not null) return found;
            if (!mode.CreateLabels)
            {
                errors.Add(new(article.File, article.Line, $"uses the {kind.ToString().ToLowerInvariant()} label {upper}, which this project does not have: add it, or import with createLabels"));
                return null;
            }
            if (!LabelDefinition.IsValidName(upper))
            {
                // Created without the rule, such a label could not be saved again on the labels page.
                errors.Add(new(article.File, article.Line, $"would create the {kind.ToString().ToLowerInvariant()} label \"{upper}\": {LabelDefinition.NameRule}"));
                return null;
            }
            var label = new LabelDefinition { ProjectId = projectId, Kind = kind, Name = upper, Colour = "#6c757d", SortOrder = 100 + labels.Count };
            labels.Add(label);
            created.Add(label);
            return label;
        }

        string? Annotator(string? email, ParsedAnnotatedArticle article)
        {
            if (mode.InImportersName) return importerId;
            if (mode.Kind == ImportKind.Member) return mode.MemberUserId;
            var member = email is null ? null : members.FirstOrDefault(m => m.Email == email.Trim().ToUpperInvariant());
            if (member is null) errors.Add(new(article.File, article.Line, $"names the annotator {email ?? "(none)"}, who is not a member of this project"));
            return member?.UserId;
        }

        var spanIds = new Dictionary<(long? FileId, string File, int Line, string Key), Guid>();
        var spans = new List<Annotation>();
        foreach (var (documentId, article) in articles)
            foreach (var span in article.Spans)
            {
                var kind = span.Layer == "claim" ? LabelKind.Claim : span.Layer == "entity" ? LabelKind.Entity
                    : labels.Any(l => l.Kind == LabelKind.Claim && l.Name == span.Label.Trim().ToUpperInvariant()) ? LabelKind.Claim : LabelKind.Entity;
                var label = Label(span.Label, kind, article);
                var annotator = Annotator(span.Annotator, article);
                if (label is null || annotator is null) continue;
                var id = Guid.NewGuid();
                spanIds[(article.FileId, article.File, article.Line, span.Key)] = id;
                spans.Add(new Annotation
                {
                    Id = id, ProjectId = projectId, DocumentId = documentId, AnnotatorId = annotator,
                    Layer = label.Kind == LabelKind.Claim ? AnnotationLayer.Claim : AnnotationLayer.Entity, Label = label.Name,
                    Start = span.Start, End = span.End, Text = CodePoints.Slice(article.Text, span.Start, span.End),
                    Attributes = span.Attributes is { ValueKind: System.Text.Json.JsonValueKind.Object } a ? a.GetRawText() : "{}",
                    Note = span.Note, Version = 1, Origin = mode.Origin, CreatedAt = now, UpdatedAt = now,
                });
            }

        var relations = new List<Relation>();
        foreach (var (_, article) in articles)
            foreach (var relation in article.Relations)
            {
                var type = Label(relation.Type, LabelKind.Relation, article);
                var annotator = Annotator(relation.Annotator, article);
                if (!spanIds.TryGetValue((article.FileId, article.File, article.Line, relation.FromKey), out var from)) continue;
                var to = relation.ToDocument is { } other
                    ? spanIds.Where(s => s.Key.FileId == other && s.Key.File == article.File && s.Key.Key == relation.ToKey).Select(s => (Guid?)s.Value).FirstOrDefault()
                    : spanIds.TryGetValue((article.FileId, article.File, article.Line, relation.ToKey), out var here) ? here : null;
                if (to is null)
                {
                    errors.Add(new(article.File, article.Line, $"links to span {relation.ToKey}{(relation.ToDocument is { } d ? $" of article {d}" : "")}, which is not in this import"));
                    continue;
                }
                if (type is null || annotator is null) continue;
                relations.Add(new Relation
                {
                    Id = Guid.NewGuid(), ProjectId = projectId, Type = type.Name, FromId = from, ToId = to.Value, Note = relation.Note,
                    AnnotatorId = annotator, Version = 1, CreatedAt = now, UpdatedAt = now,
                });
            }

        if (errors.Count > 0)
            throw ProblemException.ImportRefused(
                $"Nothing was imported: {errors[0].File} (line {errors[0].Line}) {errors[0].Message}{(errors.Count > 1 ? $" (and {errors.Count - 1} more problems, listed in errors)" : "")}.",
                errors);
        // Through the change log like every other write, so clients reading the events (or open pages) learn of them.
        var people = spans.Select(a => a.AnnotatorId).Concat(relations.Select(r => r.AnnotatorId)).Distinct().ToList();
        var names = await db.Users.Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancel);
        var byId = spans.ToDictionary(a => a.Id);
        await log.WriteAsync(projectId, entries =>
        {
            db.LabelDefinitions.AddRange(created);
            db.Annotations.AddRange(spans);
            db.Relations.AddRange(relations);
            foreach (var span in spans)
                entries.Append(ChangeKind.AnnotationCreated, span.DocumentId, null, span.Id, span.AnnotatorId, importerId, AnnotationView.Of(span, names[span.AnnotatorId]));
            foreach (var relation in relations)
            {
                var (from, to) = (byId[relation.FromId], byId[relation.ToId]);
                entries.Append(ChangeKind.RelationCreated, from.DocumentId, to.DocumentId, relation.Id, relation.AnnotatorId, importerId,
                    RelationView.Of(relation, from, to, names[relation.AnnotatorId]));
            }
            return Task.FromResult(0);
        });
        return (spans.Count, relations.Count);
    }
}
