using System.Buffers;

namespace IdentityRef.Hl7.Mllp;

/// <summary>MLLP framing constants and helpers: 0x0B message 0x1C 0x0D.</summary>
public static class MllpFraming
{
    public const byte StartBlock = 0x0B;
    public const byte EndBlock = 0x1C;
    public const byte CarriageReturn = 0x0D;

    /// <summary>The framed bytes of one message.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message)
    {
        var framed = new byte[message.Length + 3];
        framed[0] = StartBlock;
        message.CopyTo(framed.AsSpan(1));
        framed[^2] = EndBlock;
        framed[^1] = CarriageReturn;
        return framed;
    }
}

public enum MllpReadStatus
{
    /// <summary>A complete message was read.</summary>
    Message,

    /// <summary>The peer closed the connection between messages.</summary>
    EndOfStream,

    /// <summary>The peer closed the connection in the middle of a message.</summary>
    Truncated,

    /// <summary>The message is longer than the configured maximum; the connection should be closed.</summary>
    Oversize,

    /// <summary>Bytes other than whitespace arrived outside a frame, beyond what is tolerated.</summary>
    Garbage,
}

public readonly record struct MllpReadResult(MllpReadStatus Status, byte[]? Message = null);

/// <summary>
/// Reads MLLP frames from a stream. Handles frames split over several reads and several frames in one
/// read; keeps what follows a frame for the next call. Not thread-safe (one reader per connection).
/// </summary>
public sealed class MllpFrameReader(Stream stream, int maxMessageBytes, int maxGarbageBytes = 1024)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    // FS was the last byte consumed: the CR that should follow may arrive with the next read. The message is
    // returned at once (the peer waits for our answer) and the CR skipped when it comes.
    private bool _expectCarriageReturn;

    public async ValueTask<MllpReadResult> ReadAsync(CancellationToken cancellationToken)
    {
        var frame = new ArrayBufferWriter<byte>(1024);
        bool inFrame = false;
        int garbage = 0;
        while (true)
        {
            if (_start == _end)
            {
                int read = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return new MllpReadResult(inFrame ? MllpReadStatus.Truncated : MllpReadStatus.EndOfStream);
                }
                _start = 0;
                _end = read;
            }
            if (_expectCarriageReturn)
            {
                _expectCarriageReturn = false;
                if (_buffer[_start] == MllpFraming.CarriageReturn)
                {
                    _start++;
                    continue;
                }
            }
            var span = _buffer.AsSpan(_start, _end - _start);
            if (!inFrame)
            {
                int startBlock = span.IndexOf(MllpFraming.StartBlock);
                var before = startBlock < 0 ? span : span[..startBlock];
                // Whitespace between frames is common (a stray CR/LF); anything else counts as garbage.
                foreach (byte b in before)
                {
                    if (b is not (0x0D or 0x0A or 0x20 or 0x09))
                    {
                        garbage++;
                    }
                }
                if (garbage > maxGarbageBytes)
                {
                    return new MllpReadResult(MllpReadStatus.Garbage);
                }
                if (startBlock < 0)
                {
                    _start = _end;
                    continue;
                }
                _start += startBlock + 1;
                inFrame = true;
                continue;
            }
            int endBlock = span.IndexOf(MllpFraming.EndBlock);
            var content = endBlock < 0 ? span : span[..endBlock];
            if (frame.WrittenCount + content.Length > maxMessageBytes)
            {
                _start = _end;
                return new MllpReadResult(MllpReadStatus.Oversize);
            }
            frame.Write(content);
            if (endBlock < 0)
            {
                _start = _end;
                continue;
            }
            _start += endBlock + 1;
            if (_start < _end)
            {
                if (_buffer[_start] == MllpFraming.CarriageReturn)
                {
                    _start++;
                }
            }
            else
            {
                _expectCarriageReturn = true;
            }
            return new MllpReadResult(MllpReadStatus.Message, frame.WrittenSpan.ToArray());
        }
    }
}
