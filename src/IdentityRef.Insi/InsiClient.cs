using System.Diagnostics;
using System.Net.Http.Headers;
using System.Xml;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace IdentityRef.Insi;

/// <summary>The INSi operations, as the domain sees them.</summary>
public interface IInsiClient
{
    /// <summary>Search by traits (RECSANSVITALE) with the first-name iteration of certified clients.</summary>
    Task<InsiResult<InsiSearchOutcome>> SearchByTraitsAsync(InsiTraitsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Search with carte Vitale data (RECVITALE): one call.</summary>
    Task<InsiResult<InsiSearchOutcome>> SearchWithVitaleAsync(InsiVitaleQuery query, CancellationToken cancellationToken = default);

    /// <summary>Verify an INS with its traits. UNCONFIRMED operation: see <see cref="InsiVerificationContract"/>.</summary>
    Task<InsiResult<InsiVerificationOutcome>> VerifyAsync(InsiVerificationQuery query, CancellationToken cancellationToken = default);
}

/// <summary>
/// INSi teleservice client: SOAP 1.2 document/literal over HTTP(S). Every failure ends as a typed
/// <see cref="InsiError"/>; only the caller's cancellation throws. Each HTTP attempt has its own timeout;
/// transient failures (network, timeout, 5xx without SOAP fault) are retried, answers 01/02 and SOAP faults never.
/// Build the <see cref="HttpClient"/> with <see cref="InsiHttpHandlerFactory.Create"/> for mutual TLS; its own
/// Timeout should not be shorter than the retries' total.
/// </summary>
public sealed class InsiClient : IInsiClient
{
    private readonly HttpClient _http;
    private readonly InsiOptions _options;
    private readonly TimeProvider _time;
    private readonly IInsiCallObserver? _observer;
    private readonly Uri _endpoint;
    private readonly TimeSpan _attemptTimeout;
    private readonly ResiliencePipeline<AttemptResult> _pipeline;

    public InsiClient(HttpClient httpClient, InsiOptions options, TimeProvider? timeProvider = null, IInsiCallObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid INSi options: " + string.Join(" ", problems), nameof(options));
        }

        _http = httpClient;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _observer = observer;
        _endpoint = new Uri(options.Endpoint!, UriKind.Absolute);
        _attemptTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        _pipeline = BuildPipeline(options, _attemptTimeout, _time);
    }

    public async Task<InsiResult<InsiSearchOutcome>> SearchByTraitsAsync(InsiTraitsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Problem() is { } problem)
        {
            return InsiResult<InsiSearchOutcome>.Failure(new InsiInvalidQueryError(problem), 0, 0);
        }

        var httpAttempts = 0;
        var (outcome, error, calls) = await InsiFirstNameIteration.RunAsync(
            query,
            async (firstNames, birthPlace, token) =>
            {
                var body = InsiEnvelopeWriter.TraitsBody(query.BirthName, firstNames, query.Sex, query.BirthDate, birthPlace);
                var (answer, error, attempts) = await ExchangeAsync(InsiContract.SearchByTraitsAction, body, null, null, token).ConfigureAwait(false);
                httpAttempts += attempts;
                return (answer, error);
            },
            cancellationToken).ConfigureAwait(false);

        return error is null
            ? InsiResult<InsiSearchOutcome>.Success(outcome!, calls, httpAttempts)
            : InsiResult<InsiSearchOutcome>.Failure(error, calls, httpAttempts);
    }

    public async Task<InsiResult<InsiSearchOutcome>> SearchWithVitaleAsync(InsiVitaleQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Problem() is { } problem)
        {
            return InsiResult<InsiSearchOutcome>.Failure(new InsiInvalidQueryError(problem), 0, 0);
        }

        var (answer, error, attempts) = await ExchangeAsync(
            InsiContract.SearchWithVitaleAction,
            InsiEnvelopeWriter.VitaleBody(query),
            query.Coverage,
            query.SignedAssertionXml,
            cancellationToken).ConfigureAwait(false);
        return error is null
            ? InsiResult<InsiSearchOutcome>.Success(new InsiSearchOutcome(answer!.Code, answer.Label, 1, answer.Individual, null, false), 1, attempts)
            : InsiResult<InsiSearchOutcome>.Failure(error, 1, attempts);
    }

    public async Task<InsiResult<InsiVerificationOutcome>> VerifyAsync(InsiVerificationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Problem() is { } problem)
        {
            return InsiResult<InsiVerificationOutcome>.Failure(new InsiInvalidQueryError(problem), 0, 0);
        }

        var (answer, error, attempts) = await ExchangeAsync(
            _options.VerificationAction,
            InsiVerificationContract.WriteBody(query, _options.VerificationNamespace),
            null,
            null,
            cancellationToken).ConfigureAwait(false);
        return error is null
            ? InsiResult<InsiVerificationOutcome>.Success(InsiVerificationContract.ReadAnswer(answer!), 1, attempts)
            : InsiResult<InsiVerificationOutcome>.Failure(error, 1, attempts);
    }

    /// <summary>One teleservice request, with its retries: the answer or a typed error, and the HTTP attempts made.</summary>
    private async Task<(InsiAnswer? Answer, InsiError? Error, int Attempts)> ExchangeAsync(
        string action, Action<XmlWriter> writeBody, InsiCardCoverage? coverage, string? securityXml, CancellationToken cancellationToken)
    {
        var messageId = Guid.NewGuid();
        // The same message (same MessageID) is resent on retry, so that the service can recognise a duplicate.
        var envelope = InsiEnvelopeWriter.Write(_options, action, messageId, _time.GetUtcNow(), writeBody, coverage, securityXml);
        var operation = action[(action.LastIndexOf(':') + 1)..];
        var attempts = 0;
        try
        {
            var result = await _pipeline.ExecuteAsync(
                async token =>
                {
                    attempts++;
                    return await SendOnceAsync(operation, messageId, attempts, action, envelope, cancellationToken, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            return (result.Answer, result.Error, attempts);
        }
        catch (TimeoutRejectedException)
        {
            return (null, new InsiTimeoutError(_attemptTimeout), attempts);
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout fired before our own per-attempt timeout.
            return (null, new InsiTimeoutError(_http.Timeout), attempts);
        }
        catch (HttpRequestException ex)
        {
            return (null, new InsiTransportError(null, ex.HttpRequestError.ToString()), attempts);
        }
        catch (IOException)
        {
            return (null, new InsiTransportError(null, "connection lost while reading the answer"), attempts);
        }
    }

    private async Task<AttemptResult> SendOnceAsync(
        string operation, Guid messageId, int attempt, string action, byte[] envelope, CancellationToken callerToken, CancellationToken token)
    {
        var started = _time.GetTimestamp();
        using var activity = InsiTelemetry.Source.StartActivity("INSi " + operation, System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("insi.operation", operation);
        activity?.SetTag("insi.attempt", attempt);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(envelope) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(InsiContract.SoapMediaType)
            {
                CharSet = "utf-8",
                Parameters = { new NameValueHeaderValue("action", "\"" + action + "\"") },
            };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var body = await ReadLimitedAsync(response.Content, token).ConfigureAwait(false);
            var (answer, error) = body is null
                ? (null, new InsiMalformedAnswerError(status, $"answer larger than {_options.MaxAnswerBytes} bytes"))
                : InsiAnswerParser.Parse(status, body);
            if (error is InsiFaultError fault && _options.IsTransientFault(fault.Code))
            {
                error = fault with { Transient = true };
            }
            var result = new AttemptResult(status, answer, error);
            Report(operation, messageId, attempt, result.Status, status, answer?.Code.ToWire(), (error as InsiFaultError)?.Code, started);
            return result;
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            Report(operation, messageId, attempt, InsiAttemptStatus.Timeout, null, null, null, started);
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            Report(operation, messageId, attempt, InsiAttemptStatus.NetworkFailure, null, null, null, started);
            throw;
        }
    }

    private void Report(string operation, Guid messageId, int attempt, InsiAttemptStatus status, int? httpStatus, string? resultCode, string? faultCode, long started)
    {
        System.Diagnostics.Activity.Current?.SetTag("insi.outcome", status.ToString().ToLowerInvariant()).SetTag("insi.result_code", resultCode).SetTag("insi.fault_code", faultCode);
        _observer?.OnAttempt(new InsiCallEvent(operation, "uuid:" + messageId.ToString("D"), attempt, status, httpStatus, resultCode, faultCode, _time.GetElapsedTime(started)));
    }

    private async Task<byte[]?> ReadLimitedAsync(HttpContent content, CancellationToken token)
    {
        if (content.Headers.ContentLength > _options.MaxAnswerBytes)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _options.MaxAnswerBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static ResiliencePipeline<AttemptResult> BuildPipeline(InsiOptions options, TimeSpan attemptTimeout, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = time };
        if (options.RetryCount > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<AttemptResult>
            {
                MaxRetryAttempts = options.RetryCount,
                Delay = TimeSpan.FromMilliseconds(options.RetryDelayMilliseconds),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<AttemptResult>()
                    .Handle<HttpRequestException>()
                    .Handle<IOException>()
                    .Handle<TimeoutRejectedException>()
                    .Handle<TaskCanceledException>(ex => ex.InnerException is TimeoutException)
                    .HandleResult(result => result.IsTransient),
            });
        }

        // Inside the retry: the timeout applies to each attempt.
        return builder.AddTimeout(attemptTimeout).Build();
    }

    /// <summary>One HTTP exchange, already parsed.</summary>
    private sealed record AttemptResult(int HttpStatus, InsiAnswer? Answer, InsiError? Error)
    {
        /// <summary>
        /// A 5xx without a SOAP fault is the network or a proxy failing, not the service answering; a fault whose code
        /// says "temporarily unavailable" is the service asking to come back.
        /// </summary>
        public bool IsTransient => (HttpStatus >= 500 && Error is not InsiFaultError) || Error is InsiFaultError { Transient: true };

        public InsiAttemptStatus Status => Error switch
        {
            null => InsiAttemptStatus.Answered,
            InsiFaultError => InsiAttemptStatus.Fault,
            InsiMalformedAnswerError => InsiAttemptStatus.Malformed,
            _ => InsiAttemptStatus.HttpError,
        };
    }
}
