using System.Diagnostics;

namespace Annotate.Web.Features.Agreement;

/// <summary>
/// Computes a project's agreement report: <see cref="AgreementLoader"/> reads the documents in batches,
/// <see cref="DocumentComputation"/> computes each document on every core, <see cref="AgreementPool"/> pools them.
/// Coders of a document are the annotators who finished it (scope "finished", documents finished by two or more) or
/// everyone who annotated it (scope "all"). Every figure comes overall, and where it makes sense per label, per document
/// and per pair of annotators (README, Agreement, lists which):
/// <list type="bullet">
/// <item>Span F1, exact and overlap matching, with and without the label, micro-averaged over pairs of annotators.</item>
/// <item>Token-level Krippendorff's alpha (nominal), Fleiss' kappa and Cohen's kappa over the entity layer: each token gets
/// the label of the outermost entity span covering it, or "O" (outside any span) as a category of its own. Tokens are
/// runs of letters and digits, or single other non-space characters. Cohen's kappa is per pair; overall, per label and
/// per document it is the unweighted mean over the pairs of annotators.</item>
/// <item>Per label, the same three token measures on binary data: a token is "in" for an annotator when one of their
/// spans with that label (either layer) covers its first character, "out" otherwise.</item>
/// <item>Unitizing alpha per label over each document's characters (code points); per label and overall over all
/// documents as 1 − mean D_o / mean D_e, for all annotators of a document and for each pair alone (R = 2). Overlapping
/// spans of one annotator and label are merged first.</item>
/// <item>Link agreement for CONTRADICTS and SUPPORTS, each and both together: two links match when their types and both
/// ends (document, start, end) match; a contradiction's ends are an unordered pair, a support goes from one to the other.</item>
/// </list>
/// </summary>
public class AgreementComputer(AgreementLoader loader)
{
    private const int Batch = 100;

    public async Task<AgreementResult> ComputeAsync(AgreementReport report, Func<int, int, Task> progress, CancellationToken cancel)
    {
        var coders = await loader.CodersAsync(report.ProjectId, report.Scope, cancel);
        var documentIds = coders.Keys.Order().ToList();
        await progress(0, documentIds.Count);
        var annotators = coders.Values.SelectMany(c => c).Distinct().Order().ToList();
        var names = await loader.NamesAsync(annotators, cancel);

        var pool = new AgreementPool();
        var loading = new Stopwatch();
        var computing = new Stopwatch();
        var batches = documentIds.Chunk(Batch).ToList();
        // The next batch is read on its own connection while this one is computed.
        var next = batches.Count > 0 ? loader.LoadAsync(batches[0], coders, cancel) : null;
        for (var index = 0; index < batches.Count; index++)
        {
            loading.Start();
            var documents = await next!;
            next = index + 1 < batches.Count ? loader.LoadAsync(batches[index + 1], coders, cancel) : null;
            loading.Stop();
            computing.Start();
            // Documents are independent: compute them on every core, then pool them in document order.
            foreach (var result in documents.AsParallel().AsOrdered().WithCancellation(cancel).Select(d => DocumentComputation.Compute(d, names)))
                pool.Add(result);
            computing.Stop();
            await progress(Math.Min((index + 1) * Batch, documentIds.Count), documentIds.Count);
        }
        var pooling = Stopwatch.StartNew();
        var timings = new AgreementTimings(loading.ElapsedMilliseconds, computing.ElapsedMilliseconds, 0);
        var agreement = pool.Result(report.Scope, annotators, names, timings);
        return agreement with { TimingsMs = timings with { Pooled = pooling.ElapsedMilliseconds } };
    }
}
