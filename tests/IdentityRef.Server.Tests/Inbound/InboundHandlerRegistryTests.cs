using IdentityRef.Application.Inbound;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Inbound;

/// <summary>One handler per trigger: the triggers the feed takes are the ones the registered handlers declare, each once.</summary>
public sealed class InboundHandlerRegistryTests
{
    [Fact]
    public void TheHostTakes_ExactlyTheTriggersItsHandlersDeclare_EachByOneHandler()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var triggers = factory.Services.GetRequiredService<InboundTriggers>();
        Assert.Equal(Expected, triggers.All.Order().ToArray());
        Assert.Equal(typeof(PatientUpsertHandler), triggers.HandlerFor(PamEvent.A31));
        Assert.Equal(typeof(MergeHandler), triggers.HandlerFor(PamEvent.A40));
        Assert.Equal(typeof(IdentifierChangeHandler), triggers.HandlerFor(PamEvent.A47));
        Assert.Equal(typeof(LinkHandler), triggers.HandlerFor(PamEvent.A37));
        using var scope = factory.Services.CreateScope();
        foreach (var trigger in triggers.All)
        {
            // every declared handler can be built by the container (a forgotten dependency fails here, not on the first message)
            Assert.True(scope.ServiceProvider.GetRequiredService(triggers.HandlerFor(trigger)!) is IInboundHandler, trigger.ToString());
        }
    }

    [Fact]
    public void TwoHandlersDeclaringOneTrigger_StopTheStartUp_NamingBoth()
    {
        var services = new ServiceCollection();
        services.AddInbound();
        services.AddInboundHandler<SecondA31Handler>();
        using var provider = services.BuildServiceProvider();
        var refused = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<InboundTriggers>());
        Assert.Contains("A31", refused.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(PatientUpsertHandler), refused.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SecondA31Handler), refused.Message, StringComparison.Ordinal);
    }

    private static readonly PamEvent[] Expected = [PamEvent.A28, PamEvent.A31, PamEvent.A47, PamEvent.A40, PamEvent.A24, PamEvent.A37];

    private sealed class SecondA31Handler : IInboundHandler
    {
        public static IReadOnlyList<PamEvent> Triggers { get; } = [PamEvent.A31];

        public Task<IReadOnlyList<IdentityRef.Hl7.Hl7Error>> ApplyAsync(PamReadResult read, Application.Audit.Actor actor, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<IdentityRef.Hl7.Hl7Error>>([]);
    }
}
