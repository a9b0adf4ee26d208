using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Application.Audit;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// Integrates ITI-30 messages from another identity source: checks what every message shares (identifiers under the
/// text policy), then hands the message to the handler that declared its trigger (<see cref="IInboundHandler"/>,
/// registered in <see cref="InboundSetup.AddInbound"/>). Returns the errors to put in the ACK; when there are any,
/// the caller rolls the transaction back and nothing is written.
/// </summary>
public sealed class InboundIntegration(IServiceProvider services, InboundTriggers triggers, InboundIdentities identities)
{
    public async Task<IReadOnlyList<Hl7Error>> ApplyAsync(PamReadResult read, string sender, CancellationToken cancellationToken)
    {
        var actor = new Actor("hl7:" + sender, Guid.NewGuid().ToString("N"));
        if (identities.IdentifierErrors(read) is { Count: > 0 } refused)
        {
            return refused;
        }
        if (read.Event is not { } trigger || triggers.HandlerFor(trigger) is not { } type)
        {
            return [new Hl7Error(Hl7ErrorCode.UnsupportedEventCode, Hl7Severity.Error, new Hl7Location("MSH", 1, 9, 1, 2), "this trigger event is not supported")];
        }
        var handler = (IInboundHandler)services.GetRequiredService(type);
        return await handler.ApplyAsync(read, actor, cancellationToken);
    }
}
