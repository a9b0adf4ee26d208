using System.ComponentModel.DataAnnotations;

namespace IdentityRef.Application.Import;

/// <summary>Settings of the <c>import</c> command (section <c>Import</c>), validated at start like every other section.</summary>
public sealed class ImportOptions
{
    public const string Section = "Import";

    /// <summary>
    /// Rows read, checked and written at a time (<c>Import:RowsPerChunk</c>): a batch (one transaction) larger than this is
    /// written chunk by chunk into its open transaction, so that memory holds a few chunks whatever the batch size. A
    /// chunk is never larger than the batch (<c>--batch-size</c>).
    /// </summary>
    [Range(1, 1_000_000)]
    public int RowsPerChunk { get; set; } = 10_000;
}
