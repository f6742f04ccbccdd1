using System.Runtime.InteropServices;

namespace CanMesh.Capture.Tests.Infrastructure;

/// <summary>
/// A real, small file system for tests of a full disk: a tmpfs of a given size mounted on a temp folder
/// (mounting needs root or CAP_SYS_ADMIN; tests that need it are <see cref="SmallFileSystemFactAttribute"/>s
/// and are skipped, saying why, where mounting is not permitted). <see cref="Fill"/> takes every free byte
/// with a filler file, <see cref="Free"/> gives them back. Mounted read-only, it is a folder that not even root
/// can write in (chmod does not stop root).
/// </summary>
internal sealed partial class SmallFileSystem : IDisposable
{
    private const int MNT_DETACH = 2;
    private const ulong MS_RDONLY = 1;

    /// <summary>Null when a tmpfs can be mounted here; otherwise why not.</summary>
    public static string? UnavailableReason { get; } = Probe();

    private readonly string _filler;

    public SmallFileSystem(long sizeBytes, bool readOnly = false)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cm-fs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
        if (Mount("tmpfs", Path, "tmpfs", readOnly ? MS_RDONLY : 0, $"size={sizeBytes}") != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Directory.Delete(Path);
            throw new InvalidOperationException($"mount -t tmpfs -o {(readOnly ? "ro," : "")}size={sizeBytes} tmpfs {Path} failed: errno {errno}");
        }
        _filler = File("filler");
    }

    public string Path { get; }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Writes a filler file until the file system refuses another byte.</summary>
    public void Fill()
    {
        using var stream = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        var chunk = new byte[64 * 1024];
        foreach (var size in new[] { 64 * 1024, 4096, 512, 1 })
        {
            try
            {
                while (true) stream.Write(chunk, 0, size);
            }
            catch (IOException)
            {
                // ENOSPC: try a smaller piece, down to a single byte.
            }
        }
    }

    /// <summary>Deletes the filler file: the space <see cref="Fill"/> took is free again.</summary>
    public void Free() => System.IO.File.Delete(_filler);

    public void Dispose()
    {
        // Detached: a connection the test leaked must not keep the mount (and the test run) busy.
        Unmount(Path, MNT_DETACH);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? Probe()
    {
        try
        {
            using var probe = new SmallFileSystem(64 * 1024);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"needs a tmpfs mounted by the test, which is not permitted here ({e.Message}); run the tests as root or with CAP_SYS_ADMIN";
        }
        catch (DllNotFoundException e)
        {
            return $"needs mount(2) from libc: {e.Message}";
        }
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Unmount(string target, int flags);
}

/// <summary>A fact that needs a <see cref="SmallFileSystem"/>: skipped, with the reason, where mounting one is not permitted.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class SmallFileSystemFactAttribute : FactAttribute
{
    public SmallFileSystemFactAttribute()
    {
        if (SmallFileSystem.UnavailableReason is { } reason) Skip = reason;
    }
}
