using System.Net;

namespace IdentityRef.Server.Web;

/// <summary>
/// The web interface's error pages, in French: an unknown address, a refusal or a failure met by a person in a browser
/// shows a page (<c>/erreur/{code}</c>, or a plain page written here when the failure is an exception), never the API's
/// JSON. The API (<c>/api</c>) and FHIR (<c>/fhir</c>) keep their ProblemDetails and OperationOutcome.
/// </summary>
public static class WebErrors
{
    private static readonly string[] MachinePrefixes = ["/api", "/fhir", "/health", "/metrics", "/openapi", "/insi"];

    /// <summary>Whether the request comes from a person's browser on a page of the web interface.</summary>
    public static bool IsWebPage(HttpRequest request) =>
        !MachinePrefixes.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))
        && request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The title and explanation of an HTTP status, as the error page says them.</summary>
    public static (string Title, string Text) Describe(int status) => status switch
    {
        StatusCodes.Status404NotFound => ("Page introuvable", "L'adresse demandée ne correspond à aucune page ni à aucun élément connu. Vérifiez-la, ou repartez de la recherche."),
        StatusCodes.Status403Forbidden => ("Accès refusé", "Votre rôle ne permet pas cette action. Adressez-vous à un administrateur si vous en avez besoin."),
        StatusCodes.Status401Unauthorized => ("Connexion nécessaire", "Connectez-vous pour accéder à cette page."),
        StatusCodes.Status400BadRequest => ("Demande invalide", "La demande n'a pas pu être comprise (formulaire expiré ou adresse incomplète). Rechargez la page et recommencez."),
        StatusCodes.Status405MethodNotAllowed => ("Action impossible", "Cette action n'existe pas à cette adresse. Repartez de la page précédente."),
        StatusCodes.Status409Conflict => ("Opération refusée", "L'opération a été refusée : rien n'a été enregistré."),
        StatusCodes.Status503ServiceUnavailable => ("Service momentanément indisponible", "La base de données n'accepte pas d'écriture pour le moment : rien n'a été enregistré. Réessayez dans quelques instants."),
        >= 500 => ("Erreur interne", "Une erreur inattendue s'est produite : rien n'a été enregistré. Réessayez ; si elle se reproduit, signalez-la avec l'heure à votre référent informatique."),
        _ => ("Erreur", "La demande n'a pas abouti."),
    };

    /// <summary>A self-contained French page for a failure (no layout: the failure may be in it).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string? detail = null)
    {
        var (title, text) = Describe(status);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        var html = $"""
            <!DOCTYPE html>
            <html lang="fr">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>{title} — IdentityRef</title>
            <link rel="stylesheet" href="/css/site.css" /></head>
            <body><main id="contenu"><h1>{title}</h1><p>{WebUtility.HtmlEncode(detail ?? text)}</p>
            <p>Code : {status}. <a href="/">Retour au tableau de bord</a> · <a href="/identites">Rechercher une identité</a></p></main></body>
            </html>
            """;
        await context.Response.WriteAsync(html, context.RequestAborted);
    }
}
