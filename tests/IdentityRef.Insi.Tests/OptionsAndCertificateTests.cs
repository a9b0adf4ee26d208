using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IdentityRef.Insi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace IdentityRef.Insi.Tests;

public sealed class OptionsAndCertificateTests
{
    [Fact]
    public void CompleteOptions_HaveNoProblem()
    {
        Assert.Empty(TestSetup.Options(new Uri("http://127.0.0.1:5000/lps")).Validate());
    }

    [Fact]
    public void EmptyOptions_ListEveryMissingKey()
    {
        var problems = new InsiOptions().Validate();

        foreach (var key in new[] { "Endpoint", "SoftwareAuthorisationNumber", "SoftwareName", "SoftwareVersion", "InstallationId" })
        {
            Assert.Contains(problems, p => p.Contains(key, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(601)]
    public void OutOfRangeTimeout_IsAProblem(double seconds)
    {
        var options = TestSetup.Options(new Uri("http://127.0.0.1/lps"));
        options.TimeoutSeconds = seconds;

        Assert.Contains(options.Validate(), p => p.Contains("TimeoutSeconds", StringComparison.Ordinal));
    }

    [Fact]
    public void CertificateWithPlainHttp_IsAProblem()
    {
        using var certificate = TempPkcs12.Create("INSI-AUTO", "secret");
        var options = TestSetup.Options(new Uri("http://127.0.0.1/lps"));
        options.CertificatePath = certificate.Path;

        Assert.Contains(options.Validate(), p => p.Contains("https", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingCertificateFile_IsAProblem()
    {
        var options = TestSetup.Options(new Uri("https://127.0.0.1/lps"));
        options.CertificatePath = "/no/such/file.p12";

        Assert.Contains(options.Validate(), p => p.Contains("CertificatePath", StringComparison.Ordinal));
    }

    [Fact]
    public void InvalidOptions_AreRefusedByTheClient()
    {
        using var http = new HttpClient();

        Assert.Throws<ArgumentException>(() => new InsiClient(http, new InsiOptions()));
    }

    [Fact]
    public void WrongCertificatePassword_FailsAtStartup()
    {
        using var certificate = TempPkcs12.Create("INSI-AUTO", "secret");
        var options = TestSetup.Options(new Uri("https://127.0.0.1/lps"));
        options.CertificatePath = certificate.Path;
        options.CertificatePassword = "wrong";

        Assert.Throws<InvalidOperationException>(() => InsiHttpHandlerFactory.Create(options));
    }

    [Fact]
    public async Task Pkcs12Certificate_IsPresentedInMutualTls()
    {
        using var clientCertificate = TempPkcs12.Create("INSI-AUTO", "secret");
        using var serverCertificate = TempPkcs12.CreateCertificate("localhost", serverAuth: true);
        await using var server = await LoopbackServer.StartAsync(
            (context, _, _) => context.Connection.ClientCertificate?.Thumbprint == clientCertificate.Thumbprint
                ? LoopbackServer.WriteAsync(context, 200, "application/soap+xml", TestSetup.Answer("REP_CR01.xml"))
                : LoopbackServer.WriteAsync(context, 403, "text/plain", Encoding.UTF8.GetBytes("no certificate")),
            listen => listen.UseHttps(serverCertificate, https =>
            {
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.AllowAnyClientCertificate();
            }));
        Assert.Equal("https", server.Endpoint.Scheme);
        var options = TestSetup.Options(server.Endpoint);
        options.CertificatePath = clientCertificate.Path;
        options.CertificatePassword = "secret";
        Assert.Empty(options.Validate());
        using var http = new HttpClient(InsiHttpHandlerFactory.Create(options, (_, presented, _, _) => presented?.Thumbprint == serverCertificate.Thumbprint));
        var client = new InsiClient(http, options);

        var result = await client.SearchByTraitsAsync(TestSetup.Traits("HOUILLES", "PIERRE", 'M', "1993-01-27"));

        Assert.True(result.IsSuccess, result.Error?.Describe());
        Assert.Equal(InsiResultCode.NotFound, result.Value!.Code);
    }

    /// <summary>A self-signed certificate written to a temporary PKCS#12 file.</summary>
    private sealed class TempPkcs12 : IDisposable
    {
        private TempPkcs12(string path, string thumbprint) => (Path, Thumbprint) = (path, thumbprint);

        public string Path { get; }

        public string Thumbprint { get; }

        public static TempPkcs12 Create(string commonName, string password)
        {
            using var certificate = CreateCertificate(commonName, serverAuth: false);
            var path = System.IO.Path.GetTempFileName();
            File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
            return new TempPkcs12(path, certificate.Thumbprint);
        }

        public static X509Certificate2 CreateCertificate(string commonName, bool serverAuth)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false));
            if (serverAuth)
            {
                var names = new SubjectAlternativeNameBuilder();
                names.AddIpAddress(System.Net.IPAddress.Loopback);
                names.AddDnsName("localhost");
                request.CertificateExtensions.Add(names.Build());
            }

            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            // Round-trip through PKCS#12 so that the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        }

        public void Dispose() => File.Delete(Path);
    }
}
