using IdentityRef.Application.Audit;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// Integrates one kind of inbound ITI-30 message. A handler declares the triggers it takes (<see cref="Triggers"/>) and
/// is registered once, in <see cref="InboundSetup.AddInbound"/>; the listener answers AR 201 to any trigger no handler
/// declares. It runs inside the transaction the listener opened: it returns the errors that become the ACK's ERR, and
/// when one of them is an error (severity E) the transaction is rolled back, so nothing it wrote is kept.
/// </summary>
public interface IInboundHandler
{
    /// <summary>The ITI-30 triggers this handler integrates; two handlers never declare the same one.</summary>
    static abstract IReadOnlyList<PamEvent> Triggers { get; }

    /// <summary>Applies a message whose PAM read succeeded; <paramref name="actor"/> is the sender, for the audit trail.</summary>
    Task<IReadOnlyList<Hl7Error>> ApplyAsync(PamReadResult read, Actor actor, CancellationToken cancellationToken);
}

/// <summary>One registration: a handler type and the triggers it declared.</summary>
public sealed record InboundRoute(IReadOnlyList<PamEvent> Triggers, Type Handler);

/// <summary>The triggers the inbound feed takes, and which handler takes each (built from the registrations).</summary>
public sealed class InboundTriggers
{
    private readonly Dictionary<PamEvent, Type> _handlers = [];

    public InboundTriggers(IEnumerable<InboundRoute> routes)
    {
        foreach (var route in routes)
        {
            foreach (var trigger in route.Triggers)
            {
                if (!_handlers.TryAdd(trigger, route.Handler))
                {
                    throw new InvalidOperationException($"Two inbound handlers declare {trigger}: {_handlers[trigger].Name} and {route.Handler.Name}.");
                }
            }
        }
    }

    public IReadOnlyCollection<PamEvent> All => _handlers.Keys;

    public bool Supports(PamEvent trigger) => _handlers.ContainsKey(trigger);

    public Type? HandlerFor(PamEvent trigger) => _handlers.GetValueOrDefault(trigger);
}

public static class InboundSetup
{
    /// <summary>The inbound feed's use cases: every handler, registered here and only here.</summary>
    public static IServiceCollection AddInbound(this IServiceCollection services)
    {
        services.AddSingleton<InboundTriggers>();
        services.AddScoped<InboundIdentities>();
        services.AddScoped<InboundIntegration>();
        services.AddScoped<InboundUnitOfWork>();
        services.AddScoped<InboundFollowUps>();
        services.AddSingleton<InboundWriteGate>();
        services.AddInboundHandler<PatientUpsertHandler>();
        services.AddInboundHandler<MergeHandler>();
        services.AddInboundHandler<IdentifierChangeHandler>();
        services.AddInboundHandler<LinkHandler>();
        return services;
    }

    /// <summary>Registers <typeparamref name="THandler"/> for the triggers it declares.</summary>
    public static IServiceCollection AddInboundHandler<THandler>(this IServiceCollection services)
        where THandler : class, IInboundHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new InboundRoute(THandler.Triggers, typeof(THandler)));
        return services;
    }
}
