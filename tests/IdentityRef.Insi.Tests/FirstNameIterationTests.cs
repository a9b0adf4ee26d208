namespace IdentityRef.Insi.Tests;

/// <summary>The first-name algorithm alone, with a scripted teleservice.</summary>
public sealed class FirstNameIterationTests
{
    [Fact]
    public async Task FoundOnFirstName_StopsAfterOneCall()
    {
        var (outcome, calls) = await Run(["JEAN", "PIERRE"], null, Found);

        Assert.Equal(InsiResultCode.Found, outcome.Code);
        Assert.Equal(["JEAN|"], calls);
    }

    [Fact]
    public async Task NotFoundOnAll_EndsWithTheJoinedList()
    {
        var (outcome, calls) = await Run(["PIERRE", "PAUL", "JACQUES"], "63220", NotFound, NotFound, NotFound, NotFound);

        Assert.Equal(InsiResultCode.NotFound, outcome.Code);
        Assert.Equal(4, outcome.Calls);
        Assert.Equal(["PIERRE|", "PAUL|", "JACQUES|", "PIERRE PAUL JACQUES|"], calls);
    }

    [Fact]
    public async Task SingleFirstNameNotFound_MakesNoJoinedCall()
    {
        var (outcome, calls) = await Run(["ZOE"], null, NotFound);

        Assert.Equal(InsiResultCode.NotFound, outcome.Code);
        Assert.Single(calls);
    }

    [Fact]
    public async Task NoFirstName_SendsOneCallWithoutPrenom()
    {
        var (outcome, calls) = await Run([], null, Found);

        Assert.Equal(["|"], calls);
        Assert.Null(outcome.FirstNamesSent);
    }

    [Fact]
    public async Task Several_IsNarrowedWithAllFirstNames_ThenFound()
    {
        var (outcome, calls) = await Run(["MARIE", "ANNE"], "75056", Several, Found);

        Assert.Equal(InsiResultCode.Found, outcome.Code);
        Assert.Equal(["MARIE|", "MARIE ANNE|"], calls);
        Assert.False(outcome.BirthPlaceSent);
    }

    [Fact]
    public async Task StillSeveralWithAllFirstNames_IsNarrowedWithTheBirthPlace()
    {
        var (outcome, calls) = await Run(["MARIE", "ANNE"], "75056", Several, Several, Found);

        Assert.Equal(["MARIE|", "MARIE ANNE|", "MARIE ANNE|75056"], calls);
        Assert.True(outcome.BirthPlaceSent);
        Assert.Equal(3, outcome.Calls);
    }

    [Fact]
    public async Task SeveralOnTheJoinedCall_IsNarrowedWithTheBirthPlaceOnly()
    {
        var (outcome, calls) = await Run(["MARIE", "ANNE"], "75056", NotFound, NotFound, Several, Found);

        Assert.Equal(["MARIE|", "ANNE|", "MARIE ANNE|", "MARIE ANNE|75056"], calls);
        Assert.Equal(InsiResultCode.Found, outcome.Code);
    }

    [Fact]
    public async Task SeveralWithoutBirthPlace_EndsWithSeveral()
    {
        var (outcome, calls) = await Run(["MARIE"], null, Several);

        Assert.Equal(InsiResultCode.Several, outcome.Code);
        Assert.Single(calls);
    }

    [Fact]
    public async Task AnError_StopsTheSearch()
    {
        var sent = new List<string>();
        var answers = new Queue<InsiResultCode?>([InsiResultCode.NotFound, null]);
        var (outcome, error, callCount) = await InsiFirstNameIteration.RunAsync(
            new InsiTraitsQuery("X", ["A", "B", "C"], 'M', "2000-01-01"),
            (names, place, _) =>
            {
                sent.Add(names ?? string.Empty);
                var code = answers.Dequeue();
                return Task.FromResult<(InsiAnswer?, InsiError?)>(code is null
                    ? (null, new InsiTimeoutError(TimeSpan.FromSeconds(1)))
                    : (new InsiAnswer(code.Value, "", null), null));
            },
            CancellationToken.None);

        Assert.Null(outcome);
        Assert.IsType<InsiTimeoutError>(error);
        Assert.Equal(2, callCount);
        Assert.Equal(["A", "B"], sent);
    }

    private const InsiResultCode Found = InsiResultCode.Found;
    private const InsiResultCode NotFound = InsiResultCode.NotFound;
    private const InsiResultCode Several = InsiResultCode.Several;

    private static async Task<(InsiSearchOutcome Outcome, List<string> Calls)> Run(string[] firstNames, string? birthPlace, params InsiResultCode[] script)
    {
        var calls = new List<string>();
        var answers = new Queue<InsiResultCode>(script);
        var (outcome, error, count) = await InsiFirstNameIteration.RunAsync(
            new InsiTraitsQuery("X", firstNames, 'F', "2000-01-01", birthPlace),
            (names, place, _) =>
            {
                calls.Add($"{names}|{place}");
                return Task.FromResult<(InsiAnswer?, InsiError?)>((new InsiAnswer(answers.Dequeue(), "", null), null));
            },
            CancellationToken.None);
        Assert.Null(error);
        Assert.Empty(answers);
        Assert.Equal(calls.Count, count);
        return (outcome!, calls);
    }
}
