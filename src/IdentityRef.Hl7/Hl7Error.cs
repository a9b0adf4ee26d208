namespace IdentityRef.Hl7;

/// <summary>HL7 table 0357 (message error condition codes) as used by PAM FR.</summary>
public enum Hl7ErrorCode
{
    SegmentSequenceError = 100,
    RequiredFieldMissing = 101,
    DataTypeError = 102,
    TableValueNotFound = 103,
    UnsupportedMessageType = 200,
    UnsupportedEventCode = 201,
    UnsupportedProcessingId = 202,
    UnsupportedVersionId = 203,
    UnknownKey = 204,
    DuplicateKey = 205,
    ApplicationInternalError = 207,
}

/// <summary>HL7 table 0516 (error severity).</summary>
public enum Hl7Severity
{
    Error,
    Warning,
    Information,
}

/// <summary>Where an error sits: ERR-2 (ERL) <c>SEG^seq^field^rep^comp^sub</c>; 0 = not applicable.</summary>
public readonly record struct Hl7Location(string Segment, int SegmentSequence = 0, int Field = 0, int Repetition = 0, int Component = 0, int Subcomponent = 0)
{
    public static Hl7Location Message { get; } = new(string.Empty);

    public override string ToString() => ToErl(Hl7Delimiters.Default);

    /// <summary>The ERL composite; trailing unused parts are left out.</summary>
    public string ToErl(Hl7Delimiters d)
    {
        Span<int> parts = [SegmentSequence, Field, Repetition, Component, Subcomponent];
        int last = parts.Length - 1;
        while (last >= 0 && parts[last] == 0)
        {
            last--;
        }
        var text = Hl7Escaping.Escape(Segment, d);
        for (int i = 0; i <= last; i++)
        {
            text += d.Component + (parts[i] == 0 ? string.Empty : parts[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return text;
    }
}

/// <summary>One coded, positioned problem found while parsing or reading a message.</summary>
public sealed record Hl7Error(Hl7ErrorCode Code, Hl7Severity Severity, Hl7Location Location, string Message)
{
    public bool IsError => Severity == Hl7Severity.Error;

    /// <summary>The HL7 text of a table 0357 code (ERR-3.2).</summary>
    public static string CodeText(Hl7ErrorCode code) => code switch
    {
        Hl7ErrorCode.SegmentSequenceError => "Segment sequence error",
        Hl7ErrorCode.RequiredFieldMissing => "Required field missing",
        Hl7ErrorCode.DataTypeError => "Data type error",
        Hl7ErrorCode.TableValueNotFound => "Table value not found",
        Hl7ErrorCode.UnsupportedMessageType => "Unsupported message type",
        Hl7ErrorCode.UnsupportedEventCode => "Unsupported event code",
        Hl7ErrorCode.UnsupportedProcessingId => "Unsupported processing id",
        Hl7ErrorCode.UnsupportedVersionId => "Unsupported version id",
        Hl7ErrorCode.UnknownKey => "Unknown key identifier",
        Hl7ErrorCode.DuplicateKey => "Duplicate key identifier",
        Hl7ErrorCode.ApplicationInternalError => "Application internal error",
        _ => code.ToString(),
    };

    public override string ToString() => $"{(int)Code} {Severity} at {Location}: {Message}";
}
