using IdentityRef.Application.Security;
using IdentityRef.Server.Security;

namespace IdentityRef.Server.Web;

/// <summary>The web interface (Razor Pages under <c>Web/Pages</c>), served by the same host as the API.</summary>
public static class WebSetup
{
    public static void AddWebInterface(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Web/Pages";
            o.Conventions.AllowAnonymousToPage("/Connexion");
            o.Conventions.AllowAnonymousToPage("/AccesRefuse");
            o.Conventions.AllowAnonymousToPage("/Erreur"); // the French error pages (WebErrors)
            o.Conventions.AllowAnonymousToFolder("/Psc"); // the Pro Santé Connect start, refusal and welcome pages
        });
        // French text is written as is (é, not &#xE9;); HTML-significant characters are still encoded.
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "IdentityRef.Antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__csrf";
        });
    }

    public static void MapWebInterface(this IEndpointRouteBuilder app) => app.MapRazorPages();
}

/// <summary>
/// One entry of the main navigation, shown to the roles of its policy. Features add their screens here
/// (work queue, subscriptions, messages, jobs) with the policy of <see cref="Policies"/> that guards them.
/// </summary>
public sealed record NavigationItem(string Label, string Path, string Policy);

public static class Navigation
{
    public static IReadOnlyList<NavigationItem> Items { get; } =
    [
        new("Tableau de bord", "/", Policies.PatientsRead),
        new("Identités", "/identites", Policies.PatientsRead), // creation starts with a search (no direct link)
        new("Indicateurs", "/tableau-de-bord", Policies.PatientsRead),
        new("File de travail", "/identitovigilance", Policies.Duplicates),
        new("Signalements", "/signalements", Policies.WorkItems),
        new("Abonnements", "/abonnements", Policies.Subscriptions),
        new("Messages", "/messages", Policies.Messages),
        new("Tâches planifiées", "/taches", Policies.Jobs),
        new("Comptes", "/comptes", Policies.Accounts),
    ];
}
