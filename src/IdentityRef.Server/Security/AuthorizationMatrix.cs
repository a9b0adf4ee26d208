using IdentityRef.Application.Security;
using Microsoft.AspNetCore.Authorization;

namespace IdentityRef.Server.Security;

/// <summary>The matrix of <see cref="Policies"/> as ASP.NET Core authorization policies.</summary>
public static class AuthorizationMatrix
{
    public static void AddMatrix(this AuthorizationOptions options)
    {
        foreach (var rule in Policies.Matrix)
        {
            options.AddPolicy(rule.Policy, p => p.RequireAuthenticatedUser().RequireRole(rule.Roles));
        }
        // Nothing is left open by mistake: an endpoint without a policy still needs a signed-in user or an API key.
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}
