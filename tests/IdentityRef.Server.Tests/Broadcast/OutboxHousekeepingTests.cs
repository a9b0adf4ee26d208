using IdentityRef.Application.Broadcast;
using IdentityRef.Persistence;
using IdentityRef.Server.Broadcast;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Broadcast;

public sealed class OutboxHousekeepingTests
{
    [Fact]
    public async Task Housekeeping_PurgesOldAcknowledged_ReportsParkedAndLaggingSystems()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Hl7:DispatcherEnabled"] = "false" });
        factory.CreateClient();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var now = DateTimeOffset.UtcNow;
        var lab = new Subscription { Id = Guid.NewGuid(), Name = "LAB", Host = "127.0.0.1", Port = 1, ReceivingApplication = "LAB", ReceivingFacility = "H", Charset = "ASCII", Enabled = true, CreatedAt = now, UpdatedAt = now };
        var dpi = new Subscription { Id = Guid.NewGuid(), Name = "DPI", Host = "127.0.0.1", Port = 2, ReceivingApplication = "DPI", ReceivingFacility = "H", Charset = "ASCII", Enabled = true, CreatedAt = now, UpdatedAt = now };
        db.Subscriptions.AddRange(lab, dpi);
        OutboxMessage Message(Subscription s, string state, DateTimeOffset created, DateTimeOffset? acknowledged = null) => new()
        {
            SubscriptionId = s.Id, Event = "A28", ControlId = Guid.NewGuid().ToString("N")[..20], Payload = [1], State = state,
            NextAttemptAt = created, CreatedAt = created, AcknowledgedAt = acknowledged,
        };
        db.Outbox.AddRange(
            Message(lab, OutboxStates.Acknowledged, now.AddDays(-40), now.AddDays(-40)),   // purged
            Message(lab, OutboxStates.Acknowledged, now.AddDays(-1), now.AddDays(-1)),     // kept
            Message(lab, OutboxStates.Parked, now.AddDays(-2)),
            Message(dpi, OutboxStates.Error, now.AddHours(-3)),                            // DPI lags
            Message(dpi, OutboxStates.Pending, now.AddMinutes(-1)),
            Message(lab, OutboxStates.Pending, now.AddMinutes(-1)));                        // LAB is on time
        await db.SaveChangesAsync();

        var health = await scope.ServiceProvider.GetRequiredService<OutboxHousekeeping>().RunAsync(CancellationToken.None);

        Assert.Equal(1, health.Purged);
        Assert.Equal(1, health.Parked);
        var lagging = Assert.Single(health.Lagging);
        Assert.Equal(("DPI", 2), (lagging.Name, lagging.Undelivered));
        Assert.Equal(5, db.Outbox.Count());
    }
}
