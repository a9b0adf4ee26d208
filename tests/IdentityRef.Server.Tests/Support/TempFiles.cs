using Microsoft.Data.Sqlite;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// A SQLite file in the temporary folder for one test, deleted with its WAL and shared-memory files when disposed, so
/// that test runs do not pile files up in <c>/tmp</c>.
/// </summary>
public sealed class TempSqliteFile(string prefix) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}.db");

    public void Dispose() => Delete(Path);

    /// <summary>Closes pooled connections (they hold the file open) and deletes the file and its companions.</summary>
    public static void Delete(string file)
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { file, file + "-wal", file + "-shm", file + "-journal" }.Where(File.Exists))
        {
            File.Delete(path);
        }
    }
}

/// <summary>A file in the temporary folder for one test (an import file, a report), deleted when disposed.</summary>
public sealed class TempFile : IDisposable
{
    public string Path { get; } = System.IO.Path.GetTempFileName();

    public void Dispose() => File.Delete(Path);
}
