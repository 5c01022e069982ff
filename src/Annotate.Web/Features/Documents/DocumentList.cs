using System.Text;

namespace Annotate.Web.Features.Documents;

/// <summary>
/// What a document list asks for. <see cref="State"/> is the state of <see cref="Assignee"/> when given, else of the
/// caller. <see cref="After"/> and <see cref="Before"/> are cursors (at most one): the page after or before it.
/// </summary>
public record DocumentListQuery(string? Search = null, DocumentStatus? State = null, string? Assignee = null,
    string? After = null, string? Before = null, int Limit = DocumentList.DefaultLimit);

/// <summary>One page of a project's documents: the API answers it as <c>{items, next, total}</c>.</summary>
/// <param name="Next">the cursor of the page after this one; null on the last page</param>
/// <param name="Total">how many documents match the filters, over all pages</param>
public record DocumentListing(IReadOnlyList<DocumentSummary> Items, string? Next, int Total)
{
    /// <summary>The cursor of the page before this one (pages only; the API goes forward): null on the first page.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Previous { get; init; }
}

/// <summary>
/// Pages and searches a project's documents on the server: the list page and the API read 10 or 100,000 documents
/// alike. Pages are keyset pages by id (a cursor names the last id seen), so a page costs the same wherever it is,
/// and documents imported while someone pages through come at the end instead of shifting the pages.
/// </summary>
public class DocumentList(AppDbContext db)
{
    public const int DefaultLimit = 50, MaxLimit = 1000;

    /// <param name="openable">the documents the viewer may open (ProjectAccess.OpenableIds), or null for all of the project's</param>
    public async Task<DocumentListing> PageAsync(long projectId, string viewerId, DocumentListQuery request, IQueryable<long>? openable = null)
    {
        if (request.Limit is < 1 or > MaxLimit) throw ProblemException.BadRequest($"\"limit\" is 1 to {MaxLimit}; leave it out for {DefaultLimit}.");
        if (request.After is not null && request.Before is not null) throw ProblemException.BadRequest("Send one cursor, not both.");
        var matching = Filtered(projectId, viewerId, request);
        if (openable is not null) matching = matching.Where(d => openable.Contains(d.Id));
        var total = await matching.CountAsync();
        var limit = request.Limit;
        if (request.Before is { } before)
        {
            var beforeId = Decode(before);
            var rows = await matching.Where(d => d.Id < beforeId).OrderByDescending(d => d.Id).Take(limit + 1).Select(Summary).ToListAsync();
            var page = rows.Take(limit).Reverse().ToList();
            return new DocumentListing(page, page.Count > 0 ? Encode(page[^1].Id) : null, total)
            {
                Previous = rows.Count > limit ? Encode(page[0].Id) : null,
            };
        }
        var afterId = request.After is { } after ? Decode(after) : 0;
        var forward = await matching.Where(d => d.Id > afterId).OrderBy(d => d.Id).Take(limit + 1).Select(Summary).ToListAsync();
        var items = forward.Take(limit).ToList();
        return new DocumentListing(items, forward.Count > limit ? Encode(items[^1].Id) : null, total)
        {
            Previous = afterId > 0 && items.Count > 0 ? Encode(items[0].Id) : null,
        };
    }

    private static readonly System.Linq.Expressions.Expression<Func<Document, DocumentSummary>> Summary =
        d => new DocumentSummary(d.Id, d.Title, d.Source, d.PublishedAt, d.Length, d.Sha256, d.CreatedAt);

    private IQueryable<Document> Filtered(long projectId, string viewerId, DocumentListQuery request)
    {
        var query = Searched(db.Documents.AsNoTracking().Where(d => d.ProjectId == projectId), request.Search);
        if (request.Assignee is not null) query = AssignedTo(query, request.Assignee);
        if (request.State is { } state)
        {
            var who = request.Assignee is null or NoAssignee ? viewerId : request.Assignee;
            query = state == DocumentStatus.New
                ? query.Where(d => !db.DocumentStates.Any(s => s.DocumentId == d.Id && s.UserId == who && s.Status != DocumentStatus.New))
                : query.Where(d => db.DocumentStates.Any(s => s.DocumentId == d.Id && s.UserId == who && s.Status == state));
        }
        return query;
    }

    /// <summary>The documents whose title or source contains <paramref name="search"/> (any case; % and _ as themselves); all when it is empty.</summary>
    public static IQueryable<Document> Searched(IQueryable<Document> query, string? search)
    {
        if (string.IsNullOrWhiteSpace(search)) return query;
        var pattern = "%" + search.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
        // The escape character named: without it the provider escapes nothing, and "_" or "%" would match anything.
        // Source tested as itself (not coalesced) so its trigram index serves.
        return query.Where(d => EF.Functions.ILike(d.Title, pattern, "\\") || d.Source != null && EF.Functions.ILike(d.Source, pattern, "\\"));
    }

    /// <summary>
    /// The assignee filter: <c>none</c> keeps documents nobody is assigned to annotate; any other value (a user id, the
    /// caller's when the client sent <c>me</c>) keeps the documents assigned to that person to annotate.
    /// </summary>
    private IQueryable<Document> AssignedTo(IQueryable<Document> query, string assignee) => assignee == NoAssignee
        ? query.Where(d => !db.Assignments.Any(a => a.DocumentId == d.Id && a.Kind == Workflow.AssignmentKind.Annotate))
        : query.Where(d => db.Assignments.Any(a => a.DocumentId == d.Id && a.UserId == assignee && a.Kind == Workflow.AssignmentKind.Annotate));

    public const string NoAssignee = "none";

    /// <summary>The <c>assignee</c> parameter as the list filters by it: <c>me</c> is the caller, <c>none</c> and ids pass as they are.</summary>
    public static string? ParseAssignee(string? assignee, string viewerId) => assignee?.Trim() switch
    {
        null or "" => null,
        "me" => viewerId,
        var other => other,
    };

    /// <summary>A state as the API spells it ("new", "in_progress", "finished"); null or empty for any.</summary>
    public static DocumentStatus? ParseState(string? state) => state?.Trim() switch
    {
        null or "" => null,
        "new" => DocumentStatus.New,
        "in_progress" => DocumentStatus.InProgress,
        "finished" => DocumentStatus.Finished,
        _ => throw ProblemException.BadRequest("\"state\" is \"new\", \"in_progress\" or \"finished\" (or leave it out for any)."),
    };

    // A cursor is opaque to clients (they send back what they were given); inside it names the last id of a page.
    private const string CursorPrefix = "id:";

    public static string Encode(long id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(CursorPrefix + id)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static long Decode(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=')));
            if (text.StartsWith(CursorPrefix, StringComparison.Ordinal) && long.TryParse(text[CursorPrefix.Length..], out var id) && id >= 0) return id;
        }
        catch (FormatException) { }
        throw ProblemException.BadRequest("This cursor was not made by this list: send back the \"next\" of a page, or leave it out to start at the first page.");
    }
}
