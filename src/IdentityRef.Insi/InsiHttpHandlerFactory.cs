using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace IdentityRef.Insi;

/// <summary>Builds the HTTP handler of the INSi client, with the PKCS#12 organisation certificate when configured.</summary>
public static class InsiHttpHandlerFactory
{
    /// <summary>
    /// A handler presenting the configured client certificate (mutual TLS, TLS 1.2+). Without a certificate,
    /// a plain handler (tests, simulator). A missing file or a wrong password is a start-up configuration error
    /// and throws. <paramref name="serverCertificateValidation"/> is for tests against a self-signed server only.
    /// Redirects are never followed: a 3xx from a misconfigured or compromised front would resend the patient's traits
    /// to another host; it is a transport error instead (see <see cref="InsiAnswerParser.Parse"/>).
    /// </summary>
    public static HttpClientHandler Create(
        InsiOptions options,
        Func<HttpRequestMessage, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? serverCertificateValidation = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new HttpClientHandler { SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13, AllowAutoRedirect = false };
        if (serverCertificateValidation is not null)
        {
            handler.ServerCertificateCustomValidationCallback = serverCertificateValidation;
        }

        if (options.HasCertificate)
        {
            handler.ClientCertificateOptions = ClientCertificateOption.Manual;
            handler.ClientCertificates.Add(LoadCertificate(options.CertificatePath!, options.CertificatePassword));
        }

        return handler;
    }

    public static X509Certificate2 LoadCertificate(string path, string? password)
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.DefaultKeySet);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                throw new InvalidOperationException("The INSi certificate file holds no private key.");
            }

            return certificate;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException)
        {
            throw new InvalidOperationException("The INSi certificate could not be loaded (file or password).", ex);
        }
    }
}
