namespace IdentityRef.Domain.Ins;

/// <summary>A former matricule of the person, kept as the teleservice gave it (INSHISTO): NIA → NIR, change of sex.</summary>
public sealed record InsHistoryEntry(string Value, string Oid)
{
    public override string ToString() => $"InsHistoryEntry({Oid})"; // never the value: events end up in logs
}
