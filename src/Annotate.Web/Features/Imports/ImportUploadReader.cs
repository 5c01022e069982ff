using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Annotate.Web.Features.Imports;

/// <summary>
/// The API's import body read as it arrives: each file straight into one array, sized by the request's length (no
/// temporary file on disk written and read back, no second copy in memory), a file over the limit counted and dropped
/// rather than kept (the importer names it), and the form's fields as strings. A body that was read already (a cookie
/// caller whose antiforgery token came in the form), or that is not multipart, is taken from the form as before.
/// </summary>
public static class ImportUploadReader
{
    /// <summary>Most characters a field of an import holds (the annotations mode, createLabels, a token).</summary>
    private const int MaxFieldChars = 4096;

    /// <summary>Most parts (files and fields) of one import, as the form's own ValueCountLimit.</summary>
    private const int MaxSections = 1024;

    public static async Task<(List<UploadedFile> Files, Dictionary<string, string> Fields)> ReadAsync(HttpRequest request, ImportOptions options,
        CancellationToken cancel)
    {
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(type.Boundary).Value : null;
        if (string.IsNullOrEmpty(boundary) || request.HttpContext.Features.Get<IFormFeature>()?.Form is not null)
            return FromForm(await request.ReadFormAsync(cancel));

        var reader = new MultipartReader(boundary, request.Body);
        var files = new List<UploadedFile>();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var sections = 0;
        while (await reader.ReadNextSectionAsync(cancel) is { } section)
        {
            if (++sections > MaxSections) throw new InvalidDataException($"An import takes at most {MaxSections} files and fields in one request.");
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
            if (disposition.IsFileDisposition())
            {
                var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                // Only the first file is sized by the request: many small files must not each get an array as large as the whole body.
                files.Add(await ReadFileAsync(name, section.Body, options.MaxFileBytes, files.Count == 0 ? request.ContentLength : null, cancel));
            }
            else if (disposition.IsFormDisposition())
            {
                using var text = new StreamReader(section.Body, System.Text.Encoding.UTF8);
                var buffer = new char[MaxFieldChars + 1];
                var length = await text.ReadBlockAsync(buffer, cancel);
                if (length > MaxFieldChars) throw new InvalidDataException($"A field of an import holds at most {MaxFieldChars} characters.");
                fields[HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? ""] = new string(buffer, 0, length);
            }
        }
        return (files, fields);
    }

    private static (List<UploadedFile> Files, Dictionary<string, string> Fields) FromForm(IFormCollection form) =>
        (form.Files.Select(f => new UploadedFile(f.FileName, f.Length, f.OpenReadStream)).ToList(),
            form.Keys.ToDictionary(k => k, k => form[k].ToString(), StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// One file's bytes. The request's length bounds the first file's, so the usual upload of one file lands in a single
    /// array with no growing (later files start small and grow); a file that turns out much smaller than its array is
    /// copied into one of its own size.
    /// </summary>
    private static async Task<UploadedFile> ReadFileAsync(string name, Stream body, long limit, long? requestLength, CancellationToken cancel)
    {
        var keep = (int)Math.Min(limit + 1, Array.MaxLength); // one byte over the limit tells the file is too large
        var buffer = new byte[(int)Math.Min(keep, Math.Max(requestLength ?? 0, 64 * 1024))];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length == keep) break;
                Array.Resize(ref buffer, (int)Math.Min(keep, 2L * buffer.Length));
            }
            var read = await body.ReadAsync(buffer.AsMemory(length), cancel);
            if (read == 0) break;
            length += read;
        }
        if (length == keep && length > limit)
        {
            // Too large: counted to the end for the message, not kept.
            long total = length;
            var scratch = new byte[64 * 1024];
            for (int read; (read = await body.ReadAsync(scratch, cancel)) > 0;) total += read;
            return new UploadedFile(name, total, () => Stream.Null);
        }
        ReadOnlyMemory<byte> content = length < buffer.Length / 2 ? buffer.AsSpan(0, length).ToArray() : buffer.AsMemory(0, length);
        return new UploadedFile(name, length, () => new MemoryStream(buffer, 0, length, writable: false)) { Content = content };
    }
}
