using System.Runtime.InteropServices;
using CanMesh.Capture.Configuration;
using CanMesh.Configuration;
using CanMesh.Store.Sqlite;
using CanMesh.Text;

namespace CanMesh.Capture.Hosting;

/// <summary>
/// The capture database could not be opened at start. The message is the one line a person needs: the setting
/// and its environment variable, the path, what is wrong with it, and what to do.
/// </summary>
internal sealed class StoreOpenException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// Turns what opening the journal threw (a folder that cannot be made, a read-only file system, no permission)
/// into a <see cref="StoreOpenException"/>: the store library knows paths, not settings, so the capture host,
/// which knows that the path is Store:Path, says which setting to change.
/// </summary>
internal static partial class StoreOpenFailure
{
    private const string Key = "Store:Path";

    // errno values (identical on linux-x64 and linux-arm64).
    private const int EPERM = 1, EACCES = 13, ENOSPC = 28, EROFS = 30, EDQUOT = 122;
    private const int SQLITE_CORRUPT = 11, SQLITE_NOTADB = 26;
    private const int X_OK = 1, W_OK = 2;

    /// <summary>Whether <paramref name="error"/> is one that the path and its file system explain.</summary>
    public static bool Explains(Exception error) => error is IOException or UnauthorizedAccessException or SqliteError;

    public static StoreOpenException Explain(string databasePath, Exception error)
    {
        var fullPath = Path.GetFullPath(databasePath);
        var folder = Path.GetDirectoryName(fullPath) ?? "/";
        var shownPath = PrintableText.Escape(databasePath, PrintableText.MaxPathLength);
        var isDefault = databasePath == CaptureSettingsReader.DefaultDatabasePath ? " (the default)" : "";
        var (problem, fix) = Diagnose(folder, error);
        var setting = $"{Key} (env {SettingsReader.EnvironmentName(Key)})";
        return new StoreOpenException(
            $"Cannot open the capture database: {setting} = '{shownPath}'{isDefault}: {problem}. {fix}, or set {setting} to another path.", error);
    }

    private static (string Problem, string Fix) Diagnose(string folder, Exception error)
    {
        var existing = NearestExisting(folder);
        var shownExisting = PrintableText.Escape(existing, PrintableText.MaxPathLength);
        var shownFolder = PrintableText.Escape(folder, PrintableText.MaxPathLength);
        // A file where a folder of the path should be: mkdir says EEXIST or ENOTDIR, which reads like nonsense.
        if (File.Exists(existing))
        {
            return ($"{shownExisting} is a file, so the folder {shownFolder} cannot be made",
                $"Move {shownExisting} away");
        }
        if (error is SqliteError { Code: SQLITE_NOTADB or SQLITE_CORRUPT })
        {
            return ($"the file is not a capture database, or is damaged ({error.Message.TrimEnd('.')})",
                "Move it away (a new database is made in its place)");
        }
        var user = Environment.UserName;
        return WriteErrno(existing, error) switch
        {
            EROFS => ($"{shownExisting} is on a read-only file system",
                "Remount it read-write"),
            EACCES or EPERM => ($"the user {user} may not write in {shownExisting}",
                $"Give {user} a folder of its own (`sudo install -d -o {user} {shownFolder}`)"),
            ENOSPC or EDQUOT => ($"the file system of {shownExisting} is full",
                "Free some space there"),
            _ => (error.Message.TrimEnd('.'), $"Make {shownFolder} a folder that {user} may write"),
        };
    }

    /// <summary>The path itself or its nearest ancestor that exists (as a file or a folder).</summary>
    private static string NearestExisting(string path)
    {
        for (var current = path; ; current = Path.GetDirectoryName(current)!)
        {
            if (Directory.Exists(current) || File.Exists(current) || Path.GetDirectoryName(current) is null) return current;
        }
    }

    /// <summary>
    /// Why <paramref name="folder"/> cannot be written in, asked of the kernel (access(2) with W_OK: EROFS for a
    /// read-only file system even for root, EACCES for a user without permission); when it can be, the OS error
    /// behind <paramref name="error"/>. SQLite's own report cannot be relied on: after a failed open with O_CREAT
    /// it retries read-only, so its errno says ENOENT where the first attempt met EROFS or EACCES.
    /// </summary>
    private static int WriteErrno(string folder, Exception error)
    {
        if (Directory.Exists(folder) && Access(folder, W_OK | X_OK) != 0) return Marshal.GetLastPInvokeError();
        return error switch
        {
            UnauthorizedAccessException => EACCES,
            SqliteError sqlite => sqlite.SystemErrno,
            // .NET's file APIs put the errno in HResult on Unix (EACCES and EPERM become UnauthorizedAccessException).
            IOException io => io.HResult,
            _ => 0,
        };
    }

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
