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

    public async Task<int> ListAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        foreach (var account in await accounts.ListAsync(cancellationToken))
        {
            var state = !account.Active ? "inactive" : accounts.IsLocked(account) ? "locked" : "active";
            Console.WriteLine($"{account.UserName}\t{account.Role}\t{state}");
        }
        return 0;
    }
}
