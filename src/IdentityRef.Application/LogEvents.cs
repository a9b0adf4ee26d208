namespace IdentityRef.Application;

/// <summary>
/// Every event id of the log, one named constant each, so that an operator's filter or alert keeps meaning the same
/// message. Every <c>[LoggerMessage]</c> of the solution takes its id from here (LogEventsTests checks it, and that no
/// two constants or messages share an id). Ranges by area; a new message takes the next free number of its area.
/// Never reuse the number of a removed message.
/// </summary>
public static class LogEvents
{
    // 1000–1099 hosting
    public const int ServerStarted = 1000;
    public const int DatabaseMigrated = 1001;
    public const int ConfigurationInvalid = 1002;

    // 1100–1199 identities
    public const int IdentityChanged = 1100;

    // 1200–1299 bulk operations (command line)
    public const int ImportFinished = 1200;
    public const int SeedFinished = 1201;

    // 1300–1399 INSi teleservice
    public const int InsiAttempt = 1300;

    // 1400–1499 broadcast (outbox)
    public const int OutboxMessageParked = 1400;
    public const int OutboxRetryScheduled = 1401;
    public const int OutboxDispatchFailed = 1402;
    public const int OutboxDispatchRecovered = 1403;
    public const int OutboxGaugesFailed = 1404;
    public const int OutboxLeaseLost = 1405;

    // 1500–1599 security (1500–1503 were also used by duplicates and inbound before December 2026)
    public const int SignInRefused = 1500;
    public const int AccountCreated = 1501;
    public const int BootstrapAdministratorCreated = 1502;
    public const int ApiKeyRejected = 1503;

    // 1600–1699 inbound HL7 feed (1500–1502 before December 2026)
    public const int InboundListening = 1600;
    public const int InboundAnswered = 1601;
    public const int InboundRefused = 1602;
    public const int InboundConnectionRefused = 1603;
    public const int InboundFirstMessageTimedOut = 1604;
    public const int InboundAckIgnored = 1605;
    public const int InboundDeferred = 1606;
    public const int InboundRelaxedDurability = 1607;
    public const int InboundFollowUpNotSaved = 1608;

    // 1700–1799 duplicates (1500–1511 before December 2026)
    public const int DuplicateDetectionFinished = 1700;
    public const int DuplicateBlocksOversized = 1701;
    public const int MatchWeightsLearnt = 1702;
    public const int FullDetectionPhases = 1703;
    public const int BlockingKeysBuilt = 1704;
    public const int FullDetectionProcessStarted = 1705;
    public const int FullDetectionProcessEnded = 1706;
    public const int BlockingKeysOutdated = 1710;
    public const int BlockingKeysRebuilt = 1711;

    // 6000–6099 scheduled jobs
    public const int JobFinished = 6000;
    public const int JobFailed = 6001;
    public const int InsReverificationStopped = 6002;
    public const int InsReverificationDailyCapReached = 6003;
    public const int JobScheduled = 6004;
    public const int JobConcurrentChange = 6005;
}
