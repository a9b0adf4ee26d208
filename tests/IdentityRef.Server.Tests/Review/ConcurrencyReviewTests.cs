using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Review;

/// <summary>
/// Adversarial review (concurrency, bad input, web forms, outbox dispatcher): each test states a behaviour the product
/// promises (README, docs/broadcast.md, the standards of the review brief) and fails against main while the product does not
/// hold it.
/// </summary>
public sealed class ConcurrencyReviewTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Sqlite => databases[DatabaseProvider.Sqlite];

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<string> DescribeAsync(HttpResponseMessage response) =>
        $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";

    private static async Task<int> CountByBirthNameAsync(HttpClient client, string birthName) =>
        (int)(await (await client.GetAsync($"/api/patients?birthName={birthName}")).ReadObjectAsync())["total"]!;

    // ---------------------------------------------------------------------------------------------------------------
    // 1. Concurrency on the REST API
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Ten desks save the same correction of one identity with the same If-Match (README: "two changes racing on one
    /// identity give the loser a 409 concurrent-change (nothing of it written)"). On PostgreSQL a loser that passed the
    /// If-Match check before the winner committed inserts the same new blocking keys (match_keys) before its UPDATE of the
    /// identity meets the version: 23505 on PK_match_keys, a DbUpdateException that is not a concurrency exception, so a 500.
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Api_TenConcurrentPutsWithOneETag_OneWinsTheOthersAre412Or409_NeverA500(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        const int Parallel = 10;
        var failures = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            var created = await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadOkObjectAsync();
            var ipp = (string)created["ipp"]!;
            var correction = PatientJson.TraitsOf(created).With("usedName", "Lefebvre-Dumoulin").With("usedFirstName", "Jeannot");
            using var start = new SemaphoreSlim(0, Parallel);
            var tasks = Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
            {
                await start.WaitAsync();
                var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = correction.Content() };
                put.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
                return await client.SendAsync(put);
            })).ToList();
            start.Release(Parallel);
            var answers = await Task.WhenAll(tasks);
            if (answers.Count(a => a.StatusCode == HttpStatusCode.OK) != 1)
            {
                failures.Add($"round {round}: {answers.Count(a => a.StatusCode == HttpStatusCode.OK)} answers 200");
            }
            foreach (var answer in answers.Where(a => (int)a.StatusCode is not (200 or 409 or 412)))
            {
                failures.Add($"round {round}: {await DescribeAsync(answer)}");
            }
            var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
            Assert.Single(history, h => (string)h!["action"]! == "identity.updated");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 2. Bad input on the API
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Digits that are not ASCII (full-width, Arabic-Indic) match the birth date's <c>\d</c> but int.Parse refuses them:
    /// the request must be a 400 naming birthDate, never a 500.
    /// </summary>
    [Theory]
    [InlineData("１９８０-０１-１５")]   // full-width digits
    [InlineData("١٩٨٠-٠١-١٥")]         // Arabic-Indic digits
    public async Task Api_Create_BirthDateInNonAsciiDigits_Is400NamingBirthDate_NotA500(string birthDate)
    {
        var client = Sqlite.CreateClient();
        var name = "DIGIT" + PatientJson.UniqueLetters();
        var response = await client.PostAsync("/api/patients", PatientJson.Valid(name).With("birthDate", birthDate).Content());
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await DescribeAsync(response));
        Assert.Contains("birthDate", await response.ErrorFieldsAsync());
        Assert.Equal(0, await CountByBirthNameAsync(client, name));
    }

    /// <summary>The same date on a correction (PUT with a good If-Match): a 400 naming birthDate, the identity unchanged.</summary>
    [Fact]
    public async Task Api_Update_BirthDateInNonAsciiDigits_Is400NamingBirthDate_NotA500()
    {
        var client = Sqlite.CreateClient();
        var created = await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadOkObjectAsync();
        var ipp = (string)created["ipp"]!;
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}")
        {
            Content = PatientJson.TraitsOf(created).With("birthDate", "１９８０-０１-１５").Content(),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await DescribeAsync(response));
        Assert.Contains("birthDate", await response.ErrorFieldsAsync());
    }

    /// <summary>
    /// The birth place is a strict trait, an INSEE code of ASCII digits. Full-width digits match its <c>\d</c> pattern and
    /// the code is stored (with a mere "unknown code" warning) instead of being refused.
    /// </summary>
    [Fact]
    public async Task Api_Create_BirthPlaceCodeInFullWidthDigits_Is400NamingBirthPlaceCode_AndStoresNothing()
    {
        var client = Sqlite.CreateClient();
        var name = "PLACE" + PatientJson.UniqueLetters();
        var response = await client.PostAsync("/api/patients", PatientJson.Valid(name).With("birthPlaceCode", "７５１１２").Content());
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await DescribeAsync(response));
        Assert.Contains("birthPlaceCode", await response.ErrorFieldsAsync());
        Assert.Equal(0, await CountByBirthNameAsync(client, name));
    }

    /// <summary>
    /// The e-mail column holds 200 characters (IdentityConfiguration) but the validation sets no length: a huge e-mail is
    /// stored on SQLite, and is a database error (500) on PostgreSQL. Expected: a 400 naming email, nothing stored.
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Api_Create_HugeEmail_Is400NamingEmail_AndStoresNothing(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var name = "MAIL" + PatientJson.UniqueLetters();
        var email = "jp@" + new string('x', 5000) + ".fr";
        var response = await client.PostAsync("/api/patients", PatientJson.Valid(name).With("email", email).Content());
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await DescribeAsync(response));
        Assert.Contains("email", await response.ErrorFieldsAsync());
        Assert.Equal(0, await CountByBirthNameAsync(client, name));
    }

    /// <summary>
    /// Two values for one strict trait in one body (duplicate JSON key): ambiguous input. Expected a 400 naming the field;
    /// the server silently keeps the last one and creates the identity.
    /// </summary>
    [Fact]
    public async Task Api_Create_DuplicateJsonKey_Is400NamingTheField_AndStoresNothing()
    {
        var client = Sqlite.CreateClient();
        var first = "FIRST" + PatientJson.UniqueLetters();
        var second = "SECOND" + PatientJson.UniqueLetters();
        var json = $$"""{"birthName":"{{first}}","firstNames":"Jean","birthDate":"1975-04-12","sex":"M","birthName":"{{second}}","confirmDuplicate":true}""";
        var response = await client.PostAsync("/api/patients", Json(json));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await DescribeAsync(response));
        Assert.Contains("birthName", await response.ErrorFieldsAsync());
        Assert.Equal(0, await CountByBirthNameAsync(client, second));
    }

    /// <summary>
    /// The document number is an identifier typed by the desk; README: control characters and bidi controls are refused on
    /// every entry path with the field named. It is stored as sent on SQLite (a NUL is a 500 on PostgreSQL).
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Api_DocumentNumberWithControlCharacters_Is400NamingNumber_AndChangesNothing(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var created = await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadOkObjectAsync();
        var ipp = (string)created["ipp"]!;
        var expires = databases[provider].Today.AddYears(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var response = await client.PostAsync($"/api/patients/{ipp}/documents",
            new JsonObject { ["type"] = "PA", ["number"] = "19AB\u0000\u202E12345", ["expires"] = expires }.Content());
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await DescribeAsync(response));
        Assert.Contains("number", await response.ErrorFieldsAsync());
        var after = await (await client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync();
        Assert.Equal("PROV", (string)after["status"]!);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 3. Web forms
    // ---------------------------------------------------------------------------------------------------------------

    private async Task<HttpClient> SignedInAsync()
    {
        var client = Sqlite.CreateAnonymousClient();
        await WebForms.SignInAsync(client, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        return client;
    }

    /// <summary>The creation form with a birth date in Arabic-Indic digits: the French error beside the field, not the 500 page.</summary>
    [Fact]
    public async Task Web_Create_BirthDateInNonAsciiDigits_ShowsTheFrenchErrorBesideTheField_NotA500()
    {
        var client = await SignedInAsync();
        var name = "WEBDIGIT" + PatientJson.UniqueLetters();
        var response = await WebForms.PostAsync(client, "/identites/nouvelle", new Dictionary<string, string>
        {
            ["birthName"] = name, ["firstNames"] = "Marie", ["birthDate"] = "١٤/٠٧/١٩٨٥", ["sex"] = "F",
        });
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}");
        Assert.Contains("field-error", html);
        Assert.Equal(0, await CountByBirthNameAsync(Sqlite.CreateClient(), name));
    }

    /// <summary>
    /// The identity document form carries no version of the identity. The desk reads the qualification page (traits T1)
    /// and checks the passport against them; meanwhile another desk corrects the birth name (T2); the form, posted from
    /// the page as read, records the document on T2: the identity becomes VALI with a birth name no document attested.
    /// Expected: like the correction form, "modifiée par quelqu'un d'autre", nothing recorded.
    /// </summary>
    [Fact]
    public async Task Web_DocumentCheck_PostedFromAPageReadBeforeACorrection_DoesNotValidateTheCorrectedTraits()
    {
        var api = Sqlite.CreateClient();
        var created = await (await api.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadOkObjectAsync();
        var ipp = (string)created["ipp"]!;
        var client = await SignedInAsync();
        var page = $"/identites/{ipp}/qualification";
        var token = await WebForms.TokenAsync(client, page); // the page as the desk read it: the traits T1

        var corrected = "AUTRE" + PatientJson.UniqueLetters();
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = PatientJson.TraitsOf(created).With("birthName", corrected).Content() };
        put.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(put)).StatusCode);

        var expires = Sqlite.Today.AddYears(5).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        await client.PostAsync(page + "?handler=Document", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [WebForms.TokenField] = token, ["DocumentType"] = "PA", ["DocumentNumber"] = "19AB12345", ["DocumentExpires"] = expires,
        }));

        var after = await (await api.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync();
        Assert.Equal(corrected, (string)after["birthName"]!);
        Assert.True((string)after["status"]! == "PROV",
            $"the document read against {(string)created["birthName"]!} validated {corrected}: status {(string)after["status"]!}");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 4. Outbox dispatcher
    // ---------------------------------------------------------------------------------------------------------------

    private static Dictionary<string, string?> FastRetries() => new()
    {
        ["Hl7:RetryMinSeconds"] = "0.1",
        ["Hl7:RetryMaxSeconds"] = "0.2",
        ["Hl7:AckTimeoutSeconds"] = "2",
    };

    private static async Task<string> SubscribeAsync(HttpClient client, int port)
    {
        var response = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content());
        return (string)(await response.ReadOkObjectAsync())["id"]!;
    }

    private static async Task<JsonArray> MessagesAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/messages?pageSize=100")).ReadObjectAsync())["items"]!.AsArray();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out: " + what);
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// An integrator moves a system to a new address (PUT /api/subscriptions/{id}, new port). The dispatcher keeps its cached
    /// MLLP connection, keyed by the subscription id only, to the old address: the next patient's message goes to the system
    /// the subscription no longer names (patient data to the wrong place) and is recorded as acknowledged.
    /// </summary>
    [Fact]
    public async Task Dispatcher_SubscriptionMovedToANewAddress_NextMessagesGoToTheNewAddress_NotTheOldOne()
    {
        await using var oldSystem = new FakeDownstream();
        await using var newSystem = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, FastRetries());
        var client = factory.CreateClient();
        var id = await SubscribeAsync(client, oldSystem.Port);
        await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadOkObjectAsync();
        await oldSystem.WaitForAsync(1);

        var moved = await client.PutAsync($"/api/subscriptions/{id}", new JsonObject { ["port"] = newSystem.Port }.Content());
        Assert.Equal(newSystem.Port, (int)(await moved.ReadOkObjectAsync())["port"]!);
        await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadOkObjectAsync();

        await WaitUntilAsync(async () => (await MessagesAsync(client)).All(m => (string)m!["state"]! == "acknowledged"), "both messages acknowledged");
        Assert.True(oldSystem.Received.Count == 1, $"the old address received {oldSystem.Received.Count} messages, the new one {newSystem.Received.Count}");
        Assert.Single(newSystem.Received);
    }

    /// <summary>
    /// A receiver answers the first message with an ACK naming another MSH-10, then (late) with the right one. The dispatcher
    /// counts the first as no acknowledgement (right) but keeps the connection, so the late ACK is read as the answer to the
    /// retry, and from then on each message is read against the previous answer: every later message is sent twice. After a
    /// timeout the connection is dropped for this very reason (MllpClient); an ACK for another message should do the same.
    /// </summary>
    [Fact]
    public async Task Dispatcher_AckForAnotherControlId_ThenTheLateRightOne_LaterMessagesAreSentOnce()
    {
        var first = 1;
        await using var downstream = new FakeDownstream();
        downstream.RawAnswer = message =>
        {
            if (Interlocked.Exchange(ref first, 0) == 0)
            {
                return null; // a plain AA for every later message
            }
            var right = Encoding.UTF8.GetString(Hl7Ack.Build(message, Hl7AckCode.Accept).ToBytes(Hl7Charset.Utf8));
            var wrong = right.Replace("MSA|AA|" + message.ControlId, "MSA|AA|SOMETHING-ELSE", StringComparison.Ordinal);
            Assert.NotEqual(right, wrong);
            // two frames on the wire: the server frames the whole, so close the first frame and open the second inside it
            return [.. Encoding.UTF8.GetBytes(wrong), MllpFraming.EndBlock, MllpFraming.CarriageReturn, MllpFraming.StartBlock, .. Encoding.UTF8.GetBytes(right)];
        };
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, FastRetries());
        var client = factory.CreateClient();
        await SubscribeAsync(client, downstream.Port);
        await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadOkObjectAsync();
        await WaitUntilAsync(async () => (await MessagesAsync(client)).Any(m => (string)m!["state"]! == "acknowledged"), "the first message acknowledged");

        for (var i = 0; i < 3; i++)
        {
            await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadOkObjectAsync();
        }
        await WaitUntilAsync(async () => (await MessagesAsync(client)).Count(m => (string)m!["state"]! == "acknowledged") == 4, "four messages acknowledged");
        var later = (await MessagesAsync(client)).Select(m => (string)m!["controlId"]!).ToHashSet();
        var sends = downstream.Received.Where(m => later.Contains(m.ControlId)).GroupBy(m => m.ControlId).ToDictionary(g => g.Key, g => g.Count());
        var firstControlId = downstream.Received.First().ControlId;
        var twice = sends.Where(s => s.Key != firstControlId && s.Value > 1).Select(s => $"{s.Key}×{s.Value}").ToList();
        Assert.True(twice.Count == 0, "messages answered AA the first time but sent again: " + string.Join(", ", twice));
    }
}
