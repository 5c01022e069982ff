using System.Text.Json;
using Annotate.Web.Features.Annotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Documents;

/// <summary>The editor page of a document: whether the viewer sees everyone's work decides its annotator filter, as it decides the data.</summary>
public record DocumentPage(Document Document, Viewer Viewer, string PageData)
{
    public Project Project => Viewer.Project;
    public ProjectRole Role => Viewer.Role;
}

public record ComparePage(Project Project, Document Left, Document Right, string PageData);

/// <summary>The editor pages: one document, or two side by side. Their scripts get their starting state as JSON in the page.</summary>
[Authorize]
public class DocumentsController(AppDbContext db, AnnotationReader reader, ProjectAccess access) : Controller
{
    [HttpGet("/documents/{id:long}")]
    public async Task<IActionResult> Show(long id)
    {
        var (document, viewer) = await access.RequireDocumentAsync(User, id);
        var state = await EditorStateAsync(viewer, [document], compare: false);
        return View(new DocumentPage(document, viewer, Serialize(state)));
    }

    /// <summary>Two articles side by side with their claims; linking is a click on each side.</summary>
    [HttpGet("/projects/{projectId:long}/compare")]
    public async Task<IActionResult> Compare(long projectId, long? left, long? right)
    {
        var viewer = await reader.ViewerAsync(User, projectId);
        // Only the two articles are read (the pickers search through the API as one types), and only ones this person
        // may open: assigned and dynamic projects show annotators their own; a named one they may not open answers 404.
        var openable = access.Documents(viewer.Project, viewer.Role, viewer.UserId);
        var firstTwo = await openable.OrderBy(d => d.Id).Select(d => d.Id).Take(2).ToListAsync();
        if ((left is null || right is null) && firstTwo.Count < 2)
            throw ProblemException.BadRequest("The compare view needs two documents you can open in this project; import (or be assigned) another first.");
        var leftId = left ?? (right == firstTwo[0] ? firstTwo[1] : firstTwo[0]);
        var rightId = right ?? firstTwo.First(id => id != leftId);
        if (leftId == rightId) throw ProblemException.BadRequest("Pick two different documents to compare.");
        var pair = await openable.AsNoTracking().Where(d => d.Id == leftId || d.Id == rightId).ToListAsync();
        var leftDocument = pair.FirstOrDefault(d => d.Id == leftId) ?? throw ProjectAccess.DocumentNotFound(leftId);
        var rightDocument = pair.FirstOrDefault(d => d.Id == rightId) ?? throw ProjectAccess.DocumentNotFound(rightId);
        var state = await EditorStateAsync(viewer, [leftDocument, rightDocument], compare: true);
        return View(new ComparePage(viewer.Project, leftDocument, rightDocument, Serialize(state)));
    }

    /// <summary>
    /// What the editor starts from. The log position is read first: the page then asks the hub for everything
    /// after it, so a change committed while this state was read arrives once more rather than not at all.
    /// Each text is in it once (as <c>document</c> on the document page, in <c>documents</c> on the compare page)
    /// and nowhere else in the page: a long article would otherwise weigh two or three times its size.
    /// </summary>
    private async Task<object> EditorStateAsync(Viewer viewer, Document[] documents, bool compare)
    {
        var lastSequence = await reader.LastSequenceAsync(viewer.Project.Id);
        var annotations = new List<AnnotationView>();
        var relations = new Dictionary<Guid, RelationView>();
        var states = new List<DocumentStateView>();
        foreach (var document in documents)
        {
            annotations.AddRange(await reader.AnnotationsAsync(viewer, document.Id));
            foreach (var relation in await reader.RelationsAsync(viewer, document.Id)) relations[relation.Id] = relation;
            states.AddRange(await reader.DocumentStatesAsync(viewer, document.Id));
        }
        var labels = await db.LabelDefinitions.Where(l => l.ProjectId == viewer.Project.Id).OrderBy(l => l.SortOrder)
            .Select(l => new LabelView(l.Id, l.Kind, l.Name, l.Colour, l.Key)).ToListAsync();
        var members = await db.ProjectMembers.Where(m => m.ProjectId == viewer.Project.Id)
            .Select(m => new { m.UserId, Name = m.User!.DisplayName, m.Role }).OrderBy(m => m.Name).ToListAsync();
        // A reviewer curating anonymously reads the filter and the span owners as "Annotator n", as on the review page.
        var names = await reader.NamesAsync(viewer);
        members = members.Select(m => m with { Name = names.Rename(m.UserId, m.Name) }).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        var myName = await db.Users.Where(u => u.Id == viewer.UserId).Select(u => u.DisplayName).FirstAsync();
        // The titles of the other articles the links reach, for the badges on linked claims that name them.
        var reached = relations.Values.SelectMany(r => new[] { r.FromDocumentId, r.ToDocumentId }).Distinct().ToList();
        var documentTitles = await db.Documents.Where(d => d.ProjectId == viewer.Project.Id && reached.Contains(d.Id))
            .ToDictionaryAsync(d => d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), d => d.Title);
        return new
        {
            documents = compare ? documents.Select(d => new { d.Id, d.ProjectId, d.Title, d.Text, d.Length }) : null,
            document = compare ? null : documents.Select(d => new { d.Id, d.ProjectId, d.Title, d.Text, d.Length }).First(),
            project = new { viewer.Project.Id, viewer.Project.Name, viewer.Project.Visibility, viewer.Project.SnapToWords, viewer.Project.FinishedLocks },
            me = new { viewer.UserId, Name = myName, viewer.Role },
            seesEveryone = viewer.SeesEveryone,
            members = viewer.SeesEveryone ? members.Cast<object>().ToList() : [],
            labels,
            lastSequence,
            annotations,
            relations = relations.Values,
            documentTitles,
            states,
            // The page refuses to send a change larger than this: the hub would close the connection on it.
            changeBudgetBytes = ChangeBudget.MaxBytes,
            // A longer selection is sent by its offsets alone (the server checks "text" only up to this many UTF-16 units).
            maxCheckedText = SpanRules.MaxCheckedTextLength,
        };
    }

    /// <summary>Written with <see cref="Infrastructure.JsonOptions.Page"/>: it can sit inside a script element safely.</summary>
    private static string Serialize(object state) => JsonSerializer.Serialize(state, Infrastructure.JsonOptions.Page);
}
