namespace CanMesh.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder holding CanMesh.sln, found upward from the test binaries.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "CanMesh.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CanMesh.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
