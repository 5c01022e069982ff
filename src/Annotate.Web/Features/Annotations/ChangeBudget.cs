namespace Annotate.Web.Features.Annotations;

/// <summary>The largest single change, in UTF-8 bytes, that the hub receives and a REST write accepts.</summary>
public static class ChangeBudget { public const int MaxBytes = 64 * 1024; }
