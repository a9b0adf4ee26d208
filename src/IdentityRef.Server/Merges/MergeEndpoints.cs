using IdentityRef.Application.Security;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Patients;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Patients;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Server.Merges;


public static class MergeEndpoints
{
    public static void MapMergeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/merges").WithTags("Duplicates").RequireAuthorization(Policies.Duplicates);
        group.MapGet("/{id:long}", GetAsync).Produces<MergeResponse>().ProducesProblem(404).WithSummary("A merge and whether it was undone.");
        group.MapPost("/{id:long}/undo", UndoAsync).Produces<MergeResponse>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Undo a merge: both identities restored as they were (refused once the survivor changed since).");
    }

    private static async Task<IResult> GetAsync(long id, MergeQueries reads, CancellationToken ct) =>
        await reads.FindAsync(id, ct) is { } merge ? Results.Ok(await reads.ViewAsync(merge, ct)) : Problems.NotFound("Merge");

    private static async Task<IResult> UndoAsync(long id, HttpContext http, MergeQueries reads, MergeService merges, CancellationToken ct)
    {
        if (await reads.FindAsync(id, ct) is not { } merge)
        {
            return Problems.NotFound("Merge");
        }
        await merges.UndoAsync(merge, HttpActor.From(http), ct);
        return Results.Ok(await reads.ViewAsync(merge, ct));
    }
}
