using System.Text;
using IdentityRef.Hl7.Mllp;

namespace IdentityRef.Hl7.Tests;

public sealed class MllpFrameReaderTests
{
    /// <summary>Hands out at most <c>chunk</c> bytes per read, as a slow network would.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, chunk), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static byte[] A(string s) => Encoding.ASCII.GetBytes(s);

    private static async Task<List<MllpReadResult>> ReadAll(byte[] data, int chunk, int max = 1000)
    {
        var reader = new MllpFrameReader(new ChunkedStream(data, chunk), max, maxGarbageBytes: 8);
        var results = new List<MllpReadResult>();
        while (true)
        {
            var r = await reader.ReadAsync(CancellationToken.None);
            results.Add(r);
            if (r.Status != MllpReadStatus.Message)
            {
                return results;
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task ThreeFramesWithStrayNewlines_AreReadWhateverTheChunkSize(int chunk)
    {
        byte[] data = [.. MllpFraming.Frame(A("ONE")), (byte)'\n', .. MllpFraming.Frame(A("TWO")), .. MllpFraming.Frame(A("THREE"))];

        var results = await ReadAll(data, chunk);

        Assert.Equal(["ONE", "TWO", "THREE"], results.Where(r => r.Status == MllpReadStatus.Message).Select(r => Encoding.ASCII.GetString(r.Message!)));
        Assert.Equal(MllpReadStatus.EndOfStream, results[^1].Status);
    }

    [Fact]
    public async Task ConnectionClosedInsideAFrame_IsTruncated()
    {
        var results = await ReadAll([0x0B, .. A("MSH|half")], 3);

        Assert.Equal(MllpReadStatus.Truncated, Assert.Single(results).Status);
    }

    [Fact]
    public async Task GarbageOutsideFrames_StopsTheReader()
    {
        var results = await ReadAll(A("this is not MLLP at all"), 5);

        Assert.Equal(MllpReadStatus.Garbage, Assert.Single(results).Status);
    }

    [Fact]
    public async Task FrameLongerThanTheLimit_IsOversize()
    {
        var results = await ReadAll(MllpFraming.Frame(new byte[50]), 16, max: 40);

        Assert.Equal(MllpReadStatus.Oversize, Assert.Single(results).Status);
    }
}
