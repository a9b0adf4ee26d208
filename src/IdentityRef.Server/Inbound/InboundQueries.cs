using IdentityRef.Application.Queries;
using IdentityRef.Hl7;

namespace IdentityRef.Server.Inbound;

/// <summary>
/// The query side of the inbound listener, next to the ITI-30 feed: QBP^Q22 (PDQ, ITI-21) and QBP^Q23 (PIX, ITI-9)
/// are answered by <see cref="Hl7QueryResponder"/>; QCN^J01 (cancel) gets AA, since a continuation here holds no state
/// on the server; another QBP trigger gets AR.
/// </summary>
public sealed partial class InboundFeed
{
    /// <summary>Whether MSH-9 (read from the first line with the message's own separator) is a query or a cancel.</summary>
    internal static bool IsQuery(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8 || !bytes.StartsWith("MSH"u8))
        {
            return false;
        }
        var separator = (char)bytes[3];
        var end = bytes.IndexOfAny((byte)'\r', (byte)'\n');
        var line = System.Text.Encoding.Latin1.GetString(end < 0 ? bytes[..Math.Min(bytes.Length, 2048)] : bytes[..Math.Min(end, 2048)]);
        var fields = line.Split(separator);
        return fields.Length > 8 && (fields[8].StartsWith("QBP", StringComparison.Ordinal) || fields[8].StartsWith("QCN", StringComparison.Ordinal));
    }

    private async ValueTask<byte[]?> AnswerQueryAsync(ReadOnlyMemory<byte> bytes, Hl7AckOptions ackOptions, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var parse = Hl7Parser.Parse(bytes.Span);
        var charset = parse.Charset ?? Hl7Charset.Utf8;
        if (parse.Message is not { } message || parse.Errors.Any(e => e.IsError))
        {
            var refused = Hl7Ack.BuildForBytes(bytes.Span, parse, options: ackOptions);
            Answered(logger, parse.Message?.TriggerEvent ?? "?", refused.Msa()?.AcknowledgmentCode ?? "?");
            return refused.ToBytes(charset);
        }
        var msh = message.Msh()!.Value;
        Hl7Message answer;
        if (!string.Equals(msh.ReceivingApplication.NamespaceId, settings.ReceivingApplication, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(msh.ReceivingFacility.NamespaceId, settings.ReceivingFacility, StringComparison.OrdinalIgnoreCase))
        {
            answer = Hl7Ack.Build(message, Hl7AckCode.Reject, [new Hl7Error(Hl7ErrorCode.TableValueNotFound, Hl7Severity.Error,
                new Hl7Location("MSH", 1, string.Equals(msh.ReceivingApplication.NamespaceId, settings.ReceivingApplication, StringComparison.OrdinalIgnoreCase) ? 6 : 5),
                "this message is addressed to another application or facility")], ackOptions);
        }
        else if (message.MessageType.StartsWith("QCN", StringComparison.Ordinal) && message.TriggerEvent == "J01")
        {
            answer = Hl7Ack.Build(message, Hl7AckCode.Accept, [], ackOptions);
        }
        else if (Hl7QueryResponder.IsPdq(message) || Hl7QueryResponder.IsPix(message))
        {
            await using var scope = scopes.CreateAsyncScope();
            answer = await scope.ServiceProvider.GetRequiredService<Hl7QueryResponder>().AnswerAsync(message, ackOptions, cancellationToken);
        }
        else
        {
            answer = Hl7Ack.Build(message, Hl7AckCode.Reject, [new Hl7Error(Hl7ErrorCode.UnsupportedEventCode, Hl7Severity.Error,
                new Hl7Location("MSH", 1, 9, 1, 2), "this query is not supported: QBP^Q22 (PDQ) and QBP^Q23 (PIX) are")], ackOptions);
        }
        Answered(logger, message.TriggerEvent, answer.Msa()?.AcknowledgmentCode ?? "?");
        return answer.ToBytes(charset);
    }
}
