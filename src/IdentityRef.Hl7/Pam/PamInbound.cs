using IdentityRef.Hl7;

namespace IdentityRef.Hl7.Pam;

/// <summary>The outcome of receiving raw bytes: the parse, what the message says (when it could be read), and the ACK to send.</summary>
public sealed record PamInboundResult(Hl7ParseResult Parse, PamReadResult? Read, Hl7Message Ack)
{
    /// <summary>All problems, codec and PAM alike, in the order found.</summary>
    public IReadOnlyList<Hl7Error> Errors => [.. Parse.Errors, .. Read?.Errors ?? []];

    /// <summary>The message can be applied: it parsed, it was read, and no error of severity E was found.</summary>
    public bool CanApply => Read is { IsSuccess: true } && Parse.IsSuccess;
}

/// <summary>
/// The receiving side in one call: bytes -> parse -> PAM read -> ACK (AA, AE or AR with ERR segments).
/// The application may still refuse the message afterwards (e.g. 204 unknown key) and build its own ACK
/// with <see cref="Hl7Ack.Build"/>.
/// </summary>
public static class PamInbound
{
    public static PamInboundResult Receive(ReadOnlySpan<byte> bytes, PamReaderOptions? readerOptions = null, Hl7ParseOptions? parseOptions = null, Hl7AckOptions? ackOptions = null)
    {
        var strictness = readerOptions?.Strictness ?? Hl7Strictness.Lenient;
        var parse = Hl7Parser.Parse(bytes, parseOptions ?? (strictness == Hl7Strictness.Strict ? Hl7ParseOptions.Strict : Hl7ParseOptions.Lenient));
        PamReadResult? read = parse.Message is { } message ? new PamMessageReader(readerOptions).Read(message) : null;
        var ack = Hl7Ack.BuildForBytes(bytes, parse, extraErrors: read?.Errors, options: ackOptions);
        return new PamInboundResult(parse, read, ack);
    }
}
