using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// Runs an action (another desk's or instance's work) once, at the context's first save, before its transaction starts:
/// the interleaving a race test needs, without sleeps.
/// </summary>
public sealed class BeforeSave(Func<Task> action) : SaveChangesInterceptor
{
    public bool Ran { get; private set; }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (!Ran)
        {
            Ran = true;
            await action();
        }
        return result;
    }
}
