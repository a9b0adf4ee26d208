namespace IdentityRef.Server.Tests.Support;

/// <summary>Where the repository is, seen from the test assembly's folder: the folder holding <c>IdentityRef.sln</c>.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "IdentityRef.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
