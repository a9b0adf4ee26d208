using IdentityRef.Domain.Common;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Identities;

/// <summary>
/// One person's identity in the hospital's master patient index: its IPP, strict and complementary
/// traits, the national status and attributes, its INS. Every change goes through a method that keeps the
/// RNIV invariants; the status is never set directly, it follows from what is known (see
/// <see cref="IdentityStatusCodes.Derive"/>).
/// </summary>
public sealed class Identity
{
    private readonly List<IdentityEvent> _events = [];
    private List<InsHistoryEntry> _insHistory = [];

    private Identity()
    {
        Ipp = BirthName = FirstNames = FirstName = "";
    }

    public Guid Id { get; private set; }

    /// <summary>
    /// The store's number of the identity: a small integer, unique, given once when the identity is first saved (0
    /// before). Tables with one row per blocking key refer to the identity by it rather than by its GUID, which is
    /// two to four times wider (docs/import.md). Not an identifier of the patient: never shown, never sent.
    /// </summary>
    public long Number { get; private set; }

    /// <summary>Identifiant permanent du patient: allocated by the server, unique, never reused.</summary>
    public string Ipp { get; private set; }

    public string BirthName { get; private set; }
    public string FirstNames { get; private set; }
    public string FirstName { get; private set; }
    public DateOnly BirthDate { get; private set; }
    public bool BirthDateCorrected { get; private set; }
    public Sex Sex { get; private set; }
    public string? BirthPlaceCode { get; private set; }

    public string? UsedName { get; private set; }
    public string? UsedFirstName { get; private set; }
    public string? Address { get; private set; }
    public string? Postcode { get; private set; }
    public string? City { get; private set; }
    public string? Phone { get; private set; }
    public string? Email { get; private set; }

    /// <summary>The date of death (PID-29 with PID-30 Y); null while alive or not known to be dead. Not before the birth date, never in the future.</summary>
    public DateOnly? DeathDate { get; private set; }

    public IdentityStatus Status { get; private set; }
    public IdentityAttributes Attributes { get; private set; }

    /// <summary>The INS held, with its key. Stored whatever the status; handed on only when <see cref="Status"/> is QUAL.</summary>
    public string? InsValue { get; private set; }
    public InsKind? InsKind { get; private set; }
    public InsSource? InsSource { get; private set; }

    /// <summary>When the teleservice last gave or confirmed the INS.</summary>
    public DateTimeOffset? InsiCheckedAt { get; private set; }

    public IReadOnlyList<InsHistoryEntry> InsHistory => _insHistory;

    public string? DocumentType { get; private set; }
    public string? DocumentNumber { get; private set; }
    public DateOnly? DocumentExpires { get; private set; }
    public string? DocumentCheckedBy { get; private set; }
    public DateTimeOffset? DocumentCheckedAt { get; private set; }

    /// <summary>
    /// How the identity source that fed this identity collected it, as its PAM FR ZFD said (ZFD-5 mode, ZFD-7 document
    /// type, ZFD-8 end of validity). Another system's word: it never stands for a document check made here (it does not
    /// validate the identity) and is handed on only as the collection mode (ZFD-5).
    /// </summary>
    public string? ReceivedObtainingMode { get; private set; }
    public string? ReceivedDocumentType { get; private set; }
    public DateOnly? ReceivedDocumentExpires { get; private set; }

    /// <summary>Set when this identity was merged into another: it is then an inactive duplicate pointing to its survivor.</summary>
    public Guid? MergedIntoId { get; private set; }

    public bool IsActive => MergedIntoId is null;

    /// <summary>Optimistic concurrency: incremented on every change.</summary>
    public int Version { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Bumped when a strict trait changes, so that "not a duplicate" decisions know they must be reviewed.</summary>
    public DateTimeOffset StrictTraitsChangedAt { get; private set; }

    public IReadOnlyList<IdentityEvent> Events => _events;

    public InsNumber? Ins => InsValue is null || InsKind is null ? null : InsNumber.Parse(InsValue, InsKind.Value.Oid()).Value;

    /// <summary>
    /// The INS as other systems may see it: only for a qualified identity (RNIV EXI SI 08) still in use. A merged record keeps
    /// its INS for the trail and a possible undo, but the INS is its survivor's now: handed on twice, it would be one INS on
    /// two patients.
    /// </summary>
    public InsNumber? ShareableIns => Status == IdentityStatus.Qual && MergedIntoId is null ? Ins : null;

    public DocumentCheck? Document => DocumentType is null
        ? null
        : new DocumentCheck(DocumentType, DocumentNumber, DocumentExpires, DocumentCheckedBy ?? "", DocumentCheckedAt ?? default);

    public StrictTraits Strict => new(BirthName, FirstNames, FirstName, new BirthDate(BirthDate, BirthDateCorrected), Sex, BirthPlaceCode);

    public ComplementaryTraits Complementary => new(UsedName, UsedFirstName, Address, Postcode, City, Phone, Email, DeathDate);

    /// <summary>The obtaining mode of PAM FR ZFD-5.</summary>
    public string ObtainingMode => InsSource == Identities.InsSource.Insi ? "INSI" : "SM";

    /// <summary>Gives the identity its store number (<see cref="Number"/>); once only.</summary>
    public void AssignNumber(long number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        if (Number != 0 && Number != number)
        {
            throw new InvalidOperationException("The identity already has a store number.");
        }
        Number = number;
    }

    public static Identity Create(Guid id, string ipp, StrictTraits strict, ComplementaryTraits complementary, InsNumber? declaredIns, DateTimeOffset now)
    {
        var identity = new Identity { Id = id, Ipp = ipp, CreatedAt = now, StrictTraitsChangedAt = now };
        identity.ApplyStrict(strict);
        identity.ApplyComplementary(complementary);
        if (declaredIns is not null)
        {
            identity.SetIns(declaredIns, Identities.InsSource.Declared);
        }
        identity.Touch(now);
        identity._events.Add(new IdentityCreated(id));
        return identity;
    }

    /// <summary>
    /// Corrects the traits. The strict traits of an identity whose INS was retrieved are the INS traits and
    /// cannot be edited (the INS must be withdrawn first); editing them after a document check voids the check,
    /// since the document attested the old traits.
    /// </summary>
    /// <returns>Remarks for the user about side effects.</returns>
    public IReadOnlyList<FieldWarning> Update(StrictTraits strict, ComplementaryTraits complementary, InsNumber? declaredIns, DateTimeOffset now)
    {
        EnsureActive();
        var warnings = new List<FieldWarning>();
        var strictChanged = strict != Strict;
        if (strictChanged)
        {
            if (InsSource == Identities.InsSource.Insi)
            {
                throw new DomainRuleException("ins-traits-locked",
                    "The strict traits of an identity whose INS was retrieved from INSi are the INS traits: withdraw the INS before correcting them.");
            }
            ApplyStrict(strict);
            StrictTraitsChangedAt = now;
            if (DocumentType is not null)
            {
                ClearDocument();
                warnings.Add(new FieldWarning("status", "document-check-voided",
                    "The identity document check attested the former strict traits: check a document again."));
            }
        }
        ApplyComplementary(complementary);
        if (declaredIns is not null && InsSource != Identities.InsSource.Insi && declaredIns.Value != InsValue)
        {
            SetIns(declaredIns, Identities.InsSource.Declared);
        }
        Changed(now);
        return warnings;
    }

    /// <summary>Sets the attributes: douteuse and fictive exclude each other and force PROV (EXI SI 09).</summary>
    public void SetAttributes(IdentityAttributes attributes, DateTimeOffset now)
    {
        EnsureActive();
        if (attributes.HasFlag(IdentityAttributes.Douteuse) && attributes.HasFlag(IdentityAttributes.Fictive))
        {
            throw new DomainRuleException("RNIV douteuse/fictive", "An identity cannot be both doubtful (douteuse) and fictitious (fictive).");
        }
        // Douteuse/fictive downgrade a qualified identity to PROV: receivers must stop using its INS (as WithdrawIns).
        var withdrawn = Status == IdentityStatus.Qual && (attributes & (IdentityAttributes.Douteuse | IdentityAttributes.Fictive)) != 0;
        const IdentityAttributes doubtOrFiction = IdentityAttributes.Douteuse | IdentityAttributes.Fictive;
        if ((Attributes & doubtOrFiction) != 0 && (attributes & doubtOrFiction) == 0)
        {
            // The doubt is lifted, not the identity re-proven: a document checked before the doubt proves nothing now.
            // The identity stays PROV/RECUP until a new document check (EXI SI 09).
            ClearDocument();
        }
        Attributes = attributes;
        Changed(now, raiseUpdate: !withdrawn);
        if (withdrawn)
        {
            _events.Add(new InsWithdrawn(Id, new InsHistoryEntry(InsValue!, InsKind!.Value.Oid()), Deleted: false));
        }
    }

    /// <summary>
    /// Checks that the teleservice may be called for this identity; returns the warnings of the national
    /// recommendations (RECO PP 03: a call on a provisional identity without a document check).
    /// </summary>
    public IReadOnlyList<FieldWarning> EnsureInsiCallAllowed()
    {
        EnsureActive();
        if ((Attributes & (IdentityAttributes.Douteuse | IdentityAttributes.Fictive)) != 0)
        {
            throw new DomainRuleException("RNIV EXI SI 09",
                "The INSi teleservice cannot be called for a doubtful (douteuse) or fictitious (fictive) identity.");
        }
        if (Sex == Sex.Unknown)
        {
            throw new DomainRuleException("INSi sex", "The INSi teleservice needs the sex M or F; U is refused by the teleservice.");
        }
        return Status == IdentityStatus.Prov && DocumentType is null
            ? [new FieldWarning("status", "RECO PP 03",
                "Calling INSi for a provisional identity without checking an identity document is discouraged: check a document as well.")]
            : [];
    }

    /// <summary>
    /// Accepts an INSi answer after staff compared its traits with the person's: the INS traits replace the
    /// strict traits exactly, the used name and used first name stay, the INS and its history are kept. A document
    /// check attested the former traits: when a strict trait changes it is voided (RECUP, or PROV-free VALI → RECUP),
    /// and the document must be checked again against the new traits before QUAL — exactly as a manual edit.
    /// Whether the answer may be accepted at all is the <see cref="InsiVerdicts"/>' decision, taken before.
    /// </summary>
    /// <returns>Remarks for the user about side effects (the document check voided).</returns>
    public IReadOnlyList<FieldWarning> AcceptInsiAnswer(InsNumber ins, IReadOnlyList<InsHistoryEntry> history, StrictTraits insTraits, DateTimeOffset calledAt,
        DateTimeOffset now)
    {
        EnsureInsiCallAllowed();
        if (InsSource == Identities.InsSource.Insi && InsKind is { } held && held != Domain.Ins.InsKind.Nia && ins.Kind == Domain.Ins.InsKind.Nia)
        {
            // A NIA waits for a NIR and gives way to it, never the reverse: such an answer is stale or for someone else.
            throw new DomainRuleException("insi-nir-to-nia", "The INSi answer gives a NIA to an identity that holds a NIR from INSi: a NIR is never replaced by a NIA.");
        }
        var warnings = new List<FieldWarning>();
        var previous = InsValue is not null ? new InsHistoryEntry(InsValue, InsKind!.Value.Oid()) : null;
        var previousShared = Status == IdentityStatus.Qual;
        if (insTraits != Strict)
        {
            ApplyStrict(insTraits);
            StrictTraitsChangedAt = now;
            if (DocumentType is not null)
            {
                ClearDocument();
                warnings.Add(new FieldWarning("status", "document-check-voided",
                    "The INSi answer changed the strict traits the identity document attested: check the document again against the new traits."));
            }
        }
        SetIns(ins, Identities.InsSource.Insi);
        foreach (var entry in history.Where(h => h.Value != ins.Value && !_insHistory.Contains(h)))
        {
            _insHistory.Add(entry);
        }
        InsiCheckedAt = calledAt;
        Touch(now);
        RaiseInsChange(previous, previousShared, ins);
        return warnings;
    }

    /// <summary>
    /// What the receivers must be told after the INS or the status changed. The new INS never travels before the old one is
    /// dealt with (PAM FR §4.4.2): a new INS-NIR replacing a shared NIR is one A47 (old INS in MRG-1), with no A31 before
    /// it; a shared INS that may no longer be shared is withdrawn (A47); anything else is an update (A31; NIA → NIR too).
    /// </summary>
    private void RaiseInsChange(InsHistoryEntry? previous, bool previousShared, InsNumber current)
    {
        var shared = Status == IdentityStatus.Qual;
        var sameIns = previous?.Value == current.Value;
        if (previousShared && previous is not null && !shared)
        {
            // Qualified → recovered (traits changed, document voided): the INS the receivers hold leaves them; a replaced one is deleted there.
            _events.Add(new InsWithdrawn(Id, previous, Deleted: !sameIns));
        }
        else if (previousShared && previous is not null && shared && !sameIns
            && InsOids.KindOf(previous.Oid) != Domain.Ins.InsKind.Nia && current.Kind != Domain.Ins.InsKind.Nia)
        {
            _events.RemoveAll(e => e is IdentityUpdated);
            _events.Add(new InsReplaced(Id, previous));
        }
        else if (!_events.Any(e => e is IdentityUpdated or IdentityCreated or InsReplaced or InsWithdrawn))
        {
            _events.Add(new IdentityUpdated(Id));
        }
    }

    /// <summary>Records that a later INSi check confirmed the INS as it is.</summary>
    public void ConfirmIns(DateTimeOffset calledAt, DateTimeOffset now)
    {
        InsiCheckedAt = calledAt;
        UpdatedAt = now;
        Version++;
    }

    /// <summary>Records a high-trust identity document check: PROV → VALI, RECUP → QUAL.</summary>
    public void CheckDocument(DocumentCheck check, IReadOnlyCollection<string> highTrustTypes, DateOnly today, DateTimeOffset now)
    {
        EnsureActive();
        if ((Attributes & (IdentityAttributes.Douteuse | IdentityAttributes.Fictive)) != 0)
        {
            throw new DomainRuleException("RNIV EXI SI 09", "A doubtful or fictitious identity stays provisional: remove the attribute first.");
        }
        if (highTrustTypes.Count == 0)
        {
            throw new DomainRuleException("document-types-not-configured",
                "No high-trust identity document type is configured (Identity:HighTrustDocumentTypes): the hospital must choose its list.");
        }
        if (!highTrustTypes.Contains(check.Type, StringComparer.OrdinalIgnoreCase))
        {
            throw new DomainRuleException("RNIV high-trust document",
                $"'{check.Type}' is not a high-trust identity document here; accepted: {string.Join(", ", highTrustTypes)}.");
        }
        if (check.Expires is { } expires && expires < today)
        {
            throw new DomainRuleException("document-expired", "The identity document has expired.");
        }
        DocumentType = check.Type.ToUpperInvariant();
        DocumentNumber = check.Number;
        DocumentExpires = check.Expires;
        DocumentCheckedBy = check.CheckedBy;
        DocumentCheckedAt = check.CheckedAt;
        Changed(now);
    }

    /// <summary>
    /// PAM FR §4.4 downgrade flows. <see cref="InsWithdrawal.DocumentInvalid"/>: QUAL → RECUP, the INS is kept
    /// locally but withdrawn from receivers. <see cref="InsWithdrawal.WronglyAttributed"/>: the INS is deleted and
    /// the status recomputed.
    /// </summary>
    public void WithdrawIns(InsWithdrawal reason, DateTimeOffset now)
    {
        EnsureActive();
        if (InsValue is null)
        {
            throw new DomainRuleException("no-ins", "This identity holds no INS.");
        }
        var previous = new InsHistoryEntry(InsValue, InsKind!.Value.Oid());
        var wasShared = Status == IdentityStatus.Qual;
        switch (reason)
        {
            case InsWithdrawal.DocumentInvalid:
                if (DocumentType is null)
                {
                    throw new DomainRuleException("no-document", "No identity document check is recorded for this identity.");
                }
                ClearDocument();
                break;
            case InsWithdrawal.WronglyAttributed:
                InsValue = null;
                InsKind = null;
                InsSource = null;
                InsiCheckedAt = null;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(reason));
        }
        Changed(now, raiseUpdate: !wasShared);
        if (wasShared)
        {
            _events.Add(new InsWithdrawn(Id, previous, Deleted: reason == InsWithdrawal.WronglyAttributed));
        }
    }

    /// <summary>
    /// Links this identity to <paramref name="other"/> (or undoes the link): both are held for one person's records that
    /// must not be merged (yet), both stay active and unchanged. Raises the event of the A24/A37; the link itself is
    /// stored by the application.
    /// </summary>
    public void Link(Identity other, bool linked)
    {
        ArgumentNullException.ThrowIfNull(other);
        EnsureActive();
        other.EnsureActive();
        if (other.Id == Id)
        {
            throw new DomainRuleException("link-self", "An identity cannot be linked to itself.");
        }
        _events.Add(linked ? new IdentitiesLinked(Id, other.Id) : new IdentitiesUnlinked(Id, other.Id));
        // The A24/A37 carries both identities as read: saved over a change it did not see (an INS withdrawn meanwhile), it
        // would put stale data on the wire after that change's message. The versions make such a save a concurrency conflict.
        Version++;
        other.Version++;
    }

    /// <summary>Records what another identity source said of how it collected the identity (its ZFD-5, ZFD-7, ZFD-8).</summary>
    public void RecordReceivedCollection(string? obtainingMode, string? documentType, DateOnly? documentExpires)
    {
        EnsureActive();
        ReceivedObtainingMode = obtainingMode;
        ReceivedDocumentType = documentType;
        ReceivedDocumentExpires = documentExpires;
    }

    public void MarkMergedInto(Guid survivorId, DateTimeOffset now)
    {
        EnsureActive();
        if (survivorId == Id)
        {
            throw new DomainRuleException("merge-self", "An identity cannot be merged into itself.");
        }
        MergedIntoId = survivorId;
        Touch(now);
        _events.Add(new IdentityMerged(Id, survivorId));
    }

    public void Unmerge(DateTimeOffset now)
    {
        var survivor = MergedIntoId ?? throw new DomainRuleException("not-merged", "This identity is not merged.");
        MergedIntoId = null;
        Touch(now);
        _events.Add(new IdentityUnmerged(Id, survivor));
    }

    /// <summary>Hands the INS over to a merge survivor (a qualified INS wins a merge).</summary>
    public void TakeInsFrom(Identity merged, DateTimeOffset now)
    {
        if (merged.InsValue is null)
        {
            return;
        }
        InsValue = merged.InsValue;
        InsKind = merged.InsKind;
        InsSource = merged.InsSource;
        InsiCheckedAt = merged.InsiCheckedAt;
        _insHistory = [.. merged._insHistory];
        if (merged.InsSource == Identities.InsSource.Insi && merged.Strict != Strict)
        {
            ApplyStrict(merged.Strict);
            StrictTraitsChangedAt = now;
            ClearDocument(); // this identity's document attested the traits just replaced
        }
        // A document check attests the traits it was made on: taken over only when they are the survivor's now.
        if (merged.DocumentType is not null && DocumentType is null && merged.Strict == Strict)
        {
            DocumentType = merged.DocumentType;
            DocumentNumber = merged.DocumentNumber;
            DocumentExpires = merged.DocumentExpires;
            DocumentCheckedBy = merged.DocumentCheckedBy;
            DocumentCheckedAt = merged.DocumentCheckedAt;
        }
        Changed(now);
    }

    /// <summary>What a merge may take over from another identity, captured so that the merge can be undone.</summary>
    public IdentityCore Core => new(Strict, InsValue, InsKind, InsSource, InsiCheckedAt, [.. _insHistory], Document, DocumentNumber, StrictTraitsChangedAt);

    /// <summary>
    /// Puts back what a merge took over (undo of a merge). When the merge had made this identity qualified with an INS it
    /// no longer holds as qualified, the receivers, which hold that INS on this identity since the A40, are told to drop it
    /// (<see cref="InsWithdrawn"/>, an A47: PAM FR removes an INS only that way), before its A31.
    /// </summary>
    public void RestoreCore(IdentityCore core, DateTimeOffset now)
    {
        EnsureActive();
        InsHistoryEntry? shared = Status == IdentityStatus.Qual ? new InsHistoryEntry(InsValue!, InsKind!.Value.Oid()) : null;
        ApplyStrict(core.Strict);
        InsValue = core.InsValue;
        InsKind = core.InsKind;
        InsSource = core.InsSource;
        InsiCheckedAt = core.InsiCheckedAt;
        _insHistory = [.. core.InsHistory];
        DocumentType = core.Document?.Type;
        DocumentNumber = core.DocumentNumber;
        DocumentExpires = core.Document?.Expires;
        DocumentCheckedBy = core.Document?.CheckedBy;
        DocumentCheckedAt = core.Document?.CheckedAt;
        StrictTraitsChangedAt = core.StrictTraitsChangedAt;
        Touch(now);
        if (shared is { } previous && !(Status == IdentityStatus.Qual && InsValue == previous.Value))
        {
            // Deleted when the INS is not this identity's at all; otherwise it stays here, not qualified, and leaves the receivers.
            _events.Add(new InsWithdrawn(Id, previous, Deleted: InsValue != previous.Value));
        }
        RaiseUpdate();
    }

    /// <summary>
    /// Takes the traits the identity vigilance cell chose, trait by trait, at a merge (checked by
    /// <see cref="IdentityMerge.CheckTraitChoice"/>): the strict traits change only on an identity no INS nor document anchors.
    /// </summary>
    public void ChooseTraits(StrictTraits strict, ComplementaryTraits complementary, DateTimeOffset now)
    {
        EnsureActive();
        if (strict != Strict)
        {
            if (InsSource == Identities.InsSource.Insi || DocumentType is not null)
            {
                throw new DomainRuleException("merge-anchored-traits",
                    "Strict traits attested by an INSi INS or an identity document move only with it: keep that identity's strict traits.");
            }
            ApplyStrict(strict);
            StrictTraitsChangedAt = now;
        }
        ApplyComplementary(complementary);
        Changed(now);
    }

    /// <summary>Puts back the traits a merge chose (undo of a merge), with the time its strict traits had last changed.</summary>
    public void RestoreTraits(StrictTraits strict, ComplementaryTraits complementary, DateTimeOffset strictTraitsChangedAt, DateTimeOffset now)
    {
        EnsureActive();
        ApplyStrict(strict);
        ApplyComplementary(complementary);
        StrictTraitsChangedAt = strictTraitsChangedAt;
        Changed(now);
    }

    public void ClearEvents() => _events.Clear();

    private void ApplyStrict(StrictTraits strict)
    {
        BirthName = strict.BirthName;
        FirstNames = strict.FirstNames;
        FirstName = strict.FirstName;
        BirthDate = strict.BirthDate.Value;
        BirthDateCorrected = strict.BirthDate.Corrected;
        Sex = strict.Sex;
        BirthPlaceCode = strict.BirthPlaceCode;
    }

    private void ApplyComplementary(ComplementaryTraits traits)
    {
        UsedName = traits.UsedName;
        UsedFirstName = traits.UsedFirstName;
        Address = traits.Address;
        Postcode = traits.Postcode;
        City = traits.City;
        Phone = traits.Phone;
        Email = traits.Email;
        DeathDate = traits.DeathDate;
    }

    private void SetIns(InsNumber ins, InsSource source)
    {
        if (InsValue is not null && InsValue != ins.Value && InsKind is { } kind
            && !_insHistory.Any(h => h.Value == InsValue))
        {
            _insHistory.Add(new InsHistoryEntry(InsValue, kind.Oid()));
        }
        InsValue = ins.Value;
        InsKind = ins.Kind;
        InsSource = source;
    }

    private void ClearDocument()
    {
        DocumentType = DocumentNumber = DocumentCheckedBy = null;
        DocumentExpires = null;
        DocumentCheckedAt = null;
    }

    private void EnsureActive()
    {
        if (MergedIntoId is not null)
        {
            throw new DomainRuleException("identity-merged", "This identity was merged into another: work on the surviving identity.");
        }
    }

    private void Touch(DateTimeOffset now)
    {
        Status = IdentityStatusCodes.Derive(InsSource == Identities.InsSource.Insi, DocumentType is not null, Attributes, BirthDateCorrected);
        UpdatedAt = now;
        Version++;
    }

    private void Changed(DateTimeOffset now, bool raiseUpdate = true)
    {
        Touch(now);
        if (raiseUpdate)
        {
            RaiseUpdate();
        }
    }

    private void RaiseUpdate()
    {
        if (!_events.Any(e => e is IdentityUpdated or IdentityCreated))
        {
            _events.Add(new IdentityUpdated(Id));
        }
    }
}

/// <summary>The part of an identity a merge may take over: strict traits, INS and document check.</summary>
public sealed record IdentityCore(
    StrictTraits Strict,
    string? InsValue,
    InsKind? InsKind,
    InsSource? InsSource,
    DateTimeOffset? InsiCheckedAt,
    IReadOnlyList<InsHistoryEntry> InsHistory,
    DocumentCheck? Document,
    string? DocumentNumber,
    DateTimeOffset StrictTraitsChangedAt);

/// <summary>Why an INS is withdrawn (API values <c>document-invalid</c>, <c>wrongly-attributed</c>).</summary>
public enum InsWithdrawal
{
    DocumentInvalid,
    WronglyAttributed,
}
