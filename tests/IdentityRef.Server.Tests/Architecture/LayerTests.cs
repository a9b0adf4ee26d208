using System.Reflection;
using IdentityRef.Application.Patients;
using IdentityRef.Domain.Identities;

namespace IdentityRef.Server.Tests.Architecture;

/// <summary>
/// The direction of dependencies (docs/architecture.md): Domain ← Persistence, Insi, Hl7, Matching ← Application ← Server.
/// Read from the compiled assemblies, so a stray reference fails here and not in a review.
/// </summary>
public sealed class LayerTests
{
    private static readonly Assembly Domain = typeof(Identity).Assembly;
    private static readonly Assembly Application = typeof(PatientService).Assembly;

    private static IReadOnlyList<string> ReferencesOf(Assembly assembly) =>
        [.. assembly.GetReferencedAssemblies().Select(a => a.Name!).Order()];

    [Fact]
    public void Domain_DependsOnTheBaseLibraryOnly()
    {
        var foreign = ReferencesOf(Domain).Where(n => !n.StartsWith("System", StringComparison.Ordinal) && n != "netstandard").ToList();

        Assert.Empty(foreign);
    }

    [Fact]
    public void Application_KnowsNoHttpMvcOrHost()
    {
        // Options, logging, DI and the password hasher (Microsoft.Extensions.*) are allowed; transport is the host's.
        string[] forbidden = ["Microsoft.AspNetCore", "IdentityRef.Server", "Quartz", "Serilog"];

        var offenders = ReferencesOf(Application).Where(n => forbidden.Any(f => n.StartsWith(f, StringComparison.Ordinal))).ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Application_ReferencesTheLibrariesBelowIt_AndNothingAbove()
    {
        var ours = ReferencesOf(Application).Where(n => n.StartsWith("IdentityRef.", StringComparison.Ordinal)).ToList();

        Assert.All(ours, n => Assert.Contains(n, new[] { "IdentityRef.Domain", "IdentityRef.Persistence", "IdentityRef.Insi", "IdentityRef.Hl7", "IdentityRef.Matching" }));
        Assert.Contains("IdentityRef.Domain", ours);
    }

    [Fact]
    public void Application_TypesLiveUnderTheApplicationNamespace()
    {
        var strays = Application.GetTypes()
            .Where(t => t.Namespace is not null && !t.Namespace.StartsWith("IdentityRef.Application", StringComparison.Ordinal))
            .Where(t => !t.Namespace!.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) && !t.Namespace.StartsWith("System", StringComparison.Ordinal))
            .Select(t => t.FullName).ToList();

        Assert.Empty(strays);
    }
}

/// <summary>
/// Endpoint classes are transport: besides their <c>Map…</c> method they offer nothing that a page or another feature could
/// call (queries belong to Application, e.g. <c>DuplicateQueries</c>). The ones listed here still do, and are the debt that
/// the next moves pay off (docs/architecture.md); the list may only shrink.
/// </summary>
public sealed class EndpointClassTests
{
    private static readonly string[] KnownDebt =
    [
    ];

    [Fact]
    public void EndpointClasses_ExposeOnlyTheirMapMethod_BeyondTheKnownDebt()
    {
        var exposed = typeof(Program).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Endpoints", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => $"{t.Name}.{m.Name}"))
            .Where(name => !name.Split('.')[1].StartsWith("Map", StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Equal(KnownDebt, exposed);
    }
}

/// <summary>
/// Page models are thin: they get their queries from Application services (issue 11), never a <c>DbContext</c>. The ones
/// listed still take one and are the debt left (the list may only shrink; a page model off it may never take one again).
/// </summary>
public sealed class PageModelTests
{
    private static readonly string[] KnownDebt = [];

    private static IReadOnlyList<Type> PageModels() =>
        [.. typeof(Program).Assembly.GetTypes().Where(t => !t.IsAbstract && typeof(Microsoft.AspNetCore.Mvc.RazorPages.PageModel).IsAssignableFrom(t))];

    private static bool TakesADbContext(Type pageModel) =>
        pageModel.GetConstructors().SelectMany(c => c.GetParameters())
            .Any(p => typeof(Microsoft.EntityFrameworkCore.DbContext).IsAssignableFrom(p.ParameterType));

    [Fact]
    public void PageModels_TakeNoDbContext_BeyondTheKnownDebt()
    {
        var offenders = PageModels().Where(TakesADbContext).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Empty(offenders.Except(KnownDebt));
    }

    [Fact]
    public void TheAdmissionDeskAndAccountsPages_TakeNoDbContext()
    {
        var desk = PageModels().Where(t => t.Namespace!.EndsWith(".Identites", StringComparison.Ordinal)
            || t.Name is "ComptesModel" or "ConnexionModel" or "MotDePasseModel" or "ErreurModel").ToList();
        Assert.True(desk.Count >= 8, string.Join(", ", desk.Select(t => t.Name)));
        Assert.Empty(desk.Where(TakesADbContext).Select(t => t.Name));
    }
}
