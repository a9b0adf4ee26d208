using System.Security.Claims;
using IdentityRef.Application.Security;
using IdentityRef.Application.WorkItems;
using Microsoft.AspNetCore.Authorization;

namespace IdentityRef.Server.WorkItems;

/// <summary>The <see cref="WorkItemAccess"/> of a signed-in user, from the authorization matrix.</summary>
public static class WorkItemAccessOf
{
    public static async Task<WorkItemAccess> UserAsync(IAuthorizationService authorization, ClaimsPrincipal user) =>
        new((await authorization.AuthorizeAsync(user, Policies.Duplicates)).Succeeded, (await authorization.AuthorizeAsync(user, Policies.Messages)).Succeeded);
}
