using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Patients;

/// <summary>A merged identity stands for the identity it was merged into: the one walk every path that meets one uses.</summary>
public static class Survivors
{
    /// <summary>The identity itself when in use, else the active identity at the end of its merges (a chain too).</summary>
    public static async Task<Identity> ActiveAsync(IdentityRefDbContext db, Identity identity, CancellationToken cancellationToken)
    {
        while (identity.MergedIntoId is { } survivor)
        {
            identity = await db.Identities.FirstAsync(i => i.Id == survivor, cancellationToken);
        }
        return identity;
    }

    /// <inheritdoc cref="ActiveAsync(IdentityRefDbContext, Identity, CancellationToken)"/>
    public static async Task<Identity> ActiveAsync(IdentityRefDbContext db, Guid id, CancellationToken cancellationToken) =>
        await ActiveAsync(db, await db.Identities.FirstAsync(i => i.Id == id, cancellationToken), cancellationToken);
}
