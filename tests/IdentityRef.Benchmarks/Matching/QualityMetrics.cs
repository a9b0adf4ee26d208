using IdentityRef.Matching;

namespace IdentityRef.Benchmarks.Matching;

public sealed record Quality(long TruePairs, long Predicted, long TruePositives, long PossibleTrue, long MissedNotCandidates)
{
    public double Precision => Predicted == 0 ? 1 : (double)TruePositives / Predicted;
    public double Recall => TruePairs == 0 ? 1 : (double)TruePositives / TruePairs;
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Probable pairs against the truth (every pair within a person's group is a true pair).</summary>
    public static Quality Measure(DetectionResult detection, Func<string, string> personOf, IReadOnlyList<MatchRecord> records)
    {
        var groups = records.GroupBy(r => personOf(r.Id)).Select(g => (long)g.Count()).ToList();
        var truePairs = groups.Sum(n => n * (n - 1) / 2);
        long predicted = 0, tp = 0, possibleTrue = 0;
        foreach (var m in detection.Matches)
        {
            var same = personOf(m.IdA) == personOf(m.IdB);
            if (m.Class == MatchClass.Probable)
            {
                predicted++;
                if (same)
                {
                    tp++;
                }
            }
            else if (same)
            {
                possibleTrue++;
            }
        }
        return new Quality(truePairs, predicted, tp, possibleTrue, 0);
    }

    public override string ToString() =>
        $"true pairs {TruePairs}, probable {Predicted}, TP {TruePositives}, precision {Precision:F4}, recall {Recall:F4}, F1 {F1:F4}; true pairs left at Possible {PossibleTrue}";
}
