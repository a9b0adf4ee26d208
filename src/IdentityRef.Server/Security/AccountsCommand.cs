using IdentityRef.Application.Audit;
using IdentityRef.Application.Security;
using Spectre.Console;

namespace IdentityRef.Server.Security;

/// <summary>
/// <c>accounts add --user X --role R</c>: creates an account from a terminal. The password is read from standard
/// input when it is redirected (scripts), else asked without echo; it is never an argument (shell history, ps).
/// </summary>
public sealed class AccountsCommand(IServiceProvider services)
{
    public async Task<int> AddAsync(string user, string role, TextReader input, bool inputRedirected, CancellationToken cancellationToken)
    {
        var password = inputRedirected
            ? (await input.ReadLineAsync(cancellationToken))?.TrimEnd('\r')
            : AnsiConsole.Prompt(new TextPrompt<string>("Mot de passe :").Secret());
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var created = await accounts.CreateAsync(user, password, role, Actor.System("cli:" + Environment.UserName), cancellationToken);
        if (!created.IsSuccess)
        {
            foreach (var error in created.Errors)
            {
                Console.Error.WriteLine($"{error.Field}: {error.Message}");
            }
            return 2;
        }
        Console.WriteLine($"Account {created.Value.UserName} created with role {created.Value.Role}.");
        return 0;
    }

    /// <summary><c>accounts link-rpps --user X --rpps N</c> (or <c>--rpps ""</c> to unlink): the RPPS Pro Santé Connect signs in with.</summary>
    public async Task<int> LinkRppsAsync(string user, string? rpps, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var name = AccountService.NormalizeUserName(user) ?? user;
        var linked = await accounts.LinkRppsAsync(name, rpps, Actor.System("cli:" + Environment.UserName), cancellationToken);
        if (linked is not { } result)
        {
            Console.Error.WriteLine($"user: no account named {name}.");
            return 2;
        }
        if (!result.IsSuccess)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine($"{error.Field}: {error.Message}");
            }
            return 2;
        }
        Console.WriteLine(result.Value.Rpps is { } number ? $"Account {name} linked to RPPS {number}." : $"Account {name} has no RPPS any more.");
        return 0;
    }

    public async Task<int> ListAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        foreach (var account in await accounts.ListAsync(cancellationToken))
        {
            var state = !account.Active ? "inactive" : accounts.IsLocked(account) ? "locked" : "active";
            Console.WriteLine($"{account.UserName}\t{account.Role}\t{state}\t{(account.Rpps is null ? "-" : "RPPS " + account.Rpps)}");
        }
        return 0;
    }
}
