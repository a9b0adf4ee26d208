using IdentityRef.Domain.Ins;

namespace IdentityRef.Domain.Identities;

/// <summary>
/// What happened to an identity, as the broadcast needs to know it. Raised by <see cref="Identity"/> and
/// turned into PAM messages (A28, A31, A47, A40) by the outbox.
/// </summary>
public abstract record IdentityEvent(Guid IdentityId);

public sealed record IdentityCreated(Guid IdentityId) : IdentityEvent(IdentityId);

/// <summary>Traits, status, attributes or a new identifier changed (A31; also NIA → NIR).</summary>
public sealed record IdentityUpdated(Guid IdentityId) : IdentityEvent(IdentityId);

/// <summary>The INS-NIR was replaced by another INS-NIR (A47, the old INS in MRG-1).</summary>
public sealed record InsReplaced(Guid IdentityId, InsHistoryEntry Previous) : IdentityEvent(IdentityId);

/// <summary>
/// The INS may no longer be handed on: deleted (wrongly attributed) or kept locally after a downgrade from
/// QUAL (A47 deletion; PID-32 PROV for the downgrade).
/// </summary>
public sealed record InsWithdrawn(Guid IdentityId, InsHistoryEntry Previous, bool Deleted) : IdentityEvent(IdentityId);

/// <summary>The identity was merged into a survivor (A40 for the survivor, the merged IPP in MRG-1).</summary>
public sealed record IdentityMerged(Guid IdentityId, Guid SurvivorId) : IdentityEvent(IdentityId);

/// <summary>A merge was undone: the identity is active again (A31 for both, the PAM way to undo).</summary>
public sealed record IdentityUnmerged(Guid IdentityId, Guid FormerSurvivorId) : IdentityEvent(IdentityId);

/// <summary>The identity was linked to another one, both staying active (A24: this identity in the first PID, the other in the second).</summary>
public sealed record IdentitiesLinked(Guid IdentityId, Guid OtherId) : IdentityEvent(IdentityId);

/// <summary>The link between the identity and another one was undone (A37, same two PIDs).</summary>
public sealed record IdentitiesUnlinked(Guid IdentityId, Guid OtherId) : IdentityEvent(IdentityId);
