using System.Collections.Concurrent;

namespace Annotate.Web.Features.Documents;

/// <summary>
/// Article texts kept in memory on each node for the write path. A span create checks that its offsets cut the text
/// the client saw; asking PostgreSQL for the slice made it decompress and scan the article's whole text on every
/// create (about 0.4 ms of its CPU for a 65,000-character article), and the whole text over the wire for UTF-16
/// offsets. A document's text never changes after import (only its title does), so an entry is never stale; a
/// deleted document's entry is only unused until it is evicted. Bounded by <c>Live:TextCacheMegabytes</c> (32):
/// the least recently used texts go first. Each keeps its document's project, so a span create finds its project's
/// write queue without asking the database.
/// </summary>
public sealed class DocumentTexts(IServiceScopeFactory scopes, IConfiguration configuration)
{
    private readonly ConcurrentDictionary<long, DocumentText> texts = new();
    private readonly long capacityChars = Math.Max(1, configuration.GetValue("Live:TextCacheMegabytes", 32)) * 1024L * 1024 / sizeof(char);
    private long heldChars;
    private readonly Lock evicting = new();

    /// <summary>The document's text, or null when there is no such document.</summary>
    public async Task<DocumentText?> GetAsync(long documentId)
    {
        if (texts.TryGetValue(documentId, out var known))
        {
            known.Touch();
            return known;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var document = await db.Documents.AsNoTracking().Where(d => d.Id == documentId).Select(d => new { d.Text, d.ProjectId }).FirstOrDefaultAsync();
        if (document is null) return null;
        var (text, loaded) = (document.Text, new DocumentText(document.Text) { ProjectId = document.ProjectId });
        if (texts.TryAdd(documentId, loaded) && Interlocked.Add(ref heldChars, text.Length) > capacityChars) Evict();
        return loaded;
    }

    /// <summary>Drops the least recently used texts until a quarter of the room is free again.</summary>
    private void Evict()
    {
        lock (evicting)
        {
            foreach (var (id, text) in texts.OrderBy(t => t.Value.LastUsed).ToList())
            {
                if (Interlocked.Read(ref heldChars) <= capacityChars * 3 / 4) return;
                if (texts.TryRemove(id, out _)) Interlocked.Add(ref heldChars, -text.Whole.Length);
            }
        }
    }
}

/// <summary>A text with its code-point positions: slicing by code points needs no scan from the start.</summary>
public sealed class DocumentText
{
    /// <summary>Code-point indexes of the characters outside the BMP (two UTF-16 units each), ascending; empty for most texts.</summary>
    private readonly int[] astral;

    public DocumentText(string text)
    {
        Whole = text;
        var astralAt = new List<int>();
        var codePoint = 0;
        for (var i = 0; i < text.Length; i++, codePoint++)
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                astralAt.Add(codePoint);
                i++;
            }
        astral = [.. astralAt];
        Length = codePoint;
        Touch();
    }

    public string Whole { get; }

    /// <summary>The document's project, which never changes either (0 when not known).</summary>
    public long ProjectId { get; init; }

    /// <summary>Length in code points, as <c>documents.length</c> stores it.</summary>
    public int Length { get; }

    internal long LastUsed { get; private set; }

    internal void Touch() => LastUsed = Environment.TickCount64;

    /// <summary>text[start:end] in code points; both within 0..<see cref="Length"/>.</summary>
    public string Slice(int start, int end)
    {
        var from = Utf16Index(start);
        return Whole[from..Utf16Index(end)];
    }

    /// <summary>Each astral character before a code point adds one UTF-16 unit to its index.</summary>
    private int Utf16Index(int codePoint)
    {
        var before = Array.BinarySearch(astral, codePoint);
        return codePoint + (before >= 0 ? before : ~before);
    }
}
