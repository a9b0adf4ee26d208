namespace IdentityRef.Matching;

/// <summary>Union of every blocking pass over an in-memory base: sorted (key, record) entries, then pairs within each block.</summary>
internal static class CandidateGenerator
{
    internal sealed record Candidates(long[] Pairs, IReadOnlyList<OversizedBlock> OversizedBlocks);

    public static PreparedRecord[] Prepare(IReadOnlyList<MatchRecord> records, int parallelism) =>
        Prepare(records, new ParallelOptions { MaxDegreeOfParallelism = parallelism });

    public static PreparedRecord[] Prepare(IReadOnlyList<MatchRecord> records, ParallelOptions parallel)
    {
        var prepared = new PreparedRecord[records.Count];
        Parallel.For(0, records.Count, parallel, i => prepared[i] = new PreparedRecord(records[i]));
        return prepared;
    }

    /// <summary>Distinct pairs (i &lt; j), encoded i &lt;&lt; 32 | j, in ascending order.</summary>
    public static Candidates Generate(PreparedRecord[] records, MatchingOptions options) =>
        Generate(records, options, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism });

    public static Candidates Generate(PreparedRecord[] records, MatchingOptions options, ParallelOptions parallel)
    {
        var perRecord = new (ulong Hash, int Index)[records.Length][];
        Parallel.For(0, records.Length, parallel, i =>
        {
            var keys = Blocking.Keys(records[i], options.WideBlocking);
            var entries = new (ulong, int)[keys.Count];
            for (var k = 0; k < keys.Count; k++)
            {
                entries[k] = (Blocking.Hash(keys[k]), i);
            }
            perRecord[i] = entries;
        });
        var entries = new (ulong Hash, int Index)[perRecord.Sum(e => (long)e.Length)];
        var position = 0;
        foreach (var chunk in perRecord)
        {
            chunk.CopyTo(entries, position);
            position += chunk.Length;
        }
        Array.Sort(entries);

        // Two passes over the blocks: count, then fill an array of the exact size (no list growth at 50M pairs).
        var oversized = new List<OversizedBlock>();
        var blocks = new List<(int Start, int End)>();
        long total = 0;
        for (var start = 0; start < entries.Length;)
        {
            var end = start + 1;
            while (end < entries.Length && entries[end].Hash == entries[start].Hash)
            {
                end++;
            }
            var size = end - start;
            var compare = size <= options.MaxBlockSize || options.OversizedBlocks == OversizedBlockAction.CompareAndReport;
            if (size > options.MaxBlockSize)
            {
                oversized.Add(new OversizedBlock(KeyOf(records[entries[start].Index], entries[start].Hash, options.WideBlocking), size, compare));
            }
            if (compare && size > 1)
            {
                blocks.Add((start, end));
                total += (long)size * (size - 1) / 2;
            }
            start = end;
        }
        var array = new long[total];
        long position2 = 0;
        foreach (var (blockStart, blockEnd) in blocks)
        {
            for (var x = blockStart; x < blockEnd; x++)
            {
                for (var y = x + 1; y < blockEnd; y++)
                {
                    // Entries are sorted by index within a block, so x's record comes first.
                    array[position2++] = ((long)entries[x].Index << 32) | (uint)entries[y].Index;
                }
            }
        }
        Array.Sort(array);
        var distinct = 0;
        for (var i = 0; i < array.Length; i++)
        {
            if (i == 0 || array[i] != array[i - 1])
            {
                array[distinct++] = array[i];
            }
        }
        Array.Resize(ref array, distinct);
        oversized.Sort((p, q) => q.Size != p.Size ? q.Size.CompareTo(p.Size) : string.CompareOrdinal(p.Key, q.Key));
        return new Candidates(array, oversized);
    }

    private static string KeyOf(PreparedRecord record, ulong hash, bool wide) =>
        Blocking.Keys(record, wide).First(k => Blocking.Hash(k) == hash);
}
