namespace IdentityRef.Insi;

/// <summary>
/// The search-by-traits algorithm of certified clients: one call per birth first name, in order, stopping at
/// the first 00; when every call answered 01 and there were several first names, one last call with all of
/// them joined by spaces. On 02, the search is narrowed: first with all the first names joined (when there
/// are several), then with the birth place too (when known). Any error stops the search.
/// </summary>
public static class InsiFirstNameIteration
{
    /// <summary>One teleservice call: the first names to send (null = no Prenom) and the birth place (null = none).</summary>
    public delegate Task<(InsiAnswer? Answer, InsiError? Error)> CallAsync(string? firstNames, string? birthPlace, CancellationToken cancellationToken);

    public static async Task<(InsiSearchOutcome? Outcome, InsiError? Error, int Calls)> RunAsync(
        InsiTraitsQuery query, CallAsync call, CancellationToken cancellationToken)
    {
        var calls = 0;
        var firstNames = query.FirstNames;
        var joined = firstNames.Count > 0 ? string.Join(' ', firstNames) : null;

        async Task<(InsiAnswer? Answer, InsiError? Error)> Send(string? names, string? place)
        {
            calls++;
            return await call(names, place, cancellationToken).ConfigureAwait(false);
        }

        InsiSearchOutcome Outcome(InsiAnswer answer, string? names, string? place) =>
            new(answer.Code, answer.Label, calls, answer.Individual, names, place is not null);

        // No first name known: a single call without Prenom.
        var attempts = firstNames.Count == 0 ? [null] : firstNames.Cast<string?>().ToList();
        InsiAnswer? last = null;
        string? lastNames = null;
        foreach (var name in attempts)
        {
            var (answer, error) = await Send(name, null).ConfigureAwait(false);
            if (error is not null)
            {
                return (null, error, calls);
            }

            (last, lastNames) = (answer!, name);
            if (last.Code == InsiResultCode.Found)
            {
                return (Outcome(last, name, null), null, calls);
            }

            if (last.Code == InsiResultCode.Several)
            {
                return await NarrowAsync(last, name).ConfigureAwait(false);
            }
        }

        if (firstNames.Count > 1)
        {
            var (answer, error) = await Send(joined, null).ConfigureAwait(false);
            if (error is not null)
            {
                return (null, error, calls);
            }

            if (answer!.Code == InsiResultCode.Several)
            {
                return await NarrowAsync(answer, joined).ConfigureAwait(false);
            }

            return (Outcome(answer, joined, null), null, calls);
        }

        return (Outcome(last!, lastNames, null), null, calls);

        async Task<(InsiSearchOutcome?, InsiError?, int)> NarrowAsync(InsiAnswer several, string? sentNames)
        {
            var (answer, names) = (several, sentNames);
            if (firstNames.Count > 1 && sentNames != joined)
            {
                var (next, error) = await Send(joined, null).ConfigureAwait(false);
                if (error is not null)
                {
                    return (null, error, calls);
                }

                (answer, names) = (next!, joined);
                if (answer.Code != InsiResultCode.Several)
                {
                    return (Outcome(answer, names, null), null, calls);
                }
            }

            if (query.BirthPlaceCode is not null)
            {
                var (next, error) = await Send(names, query.BirthPlaceCode).ConfigureAwait(false);
                return error is not null ? (null, error, calls) : (Outcome(next!, names, query.BirthPlaceCode), null, calls);
            }

            return (Outcome(answer, names, null), null, calls);
        }
    }
}
