using System.Runtime.InteropServices;

namespace CanMesh.Capture.Api.Hosting;

/// <summary>The two libc calls .NET has no API for. Layouts hold for LP64 (linux-x64 and linux-arm64).</summary>
internal static partial class LibC
{
    /// <summary>chown(2) leaves the owner unchanged when given (uid_t)-1.</summary>
    public const uint KeepOwner = uint.MaxValue;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr getgrnam(string name);

    /// <summary>struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Group
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint Gid;
        public IntPtr Members;
    }

    /// <summary>Resolves through NSS like chgrp does (/etc/group, or LDAP where configured).</summary>
    public static bool TryGetGroupId(string name, out uint gid)
    {
        IntPtr entry = getgrnam(name);
        if (entry == IntPtr.Zero)
        {
            gid = 0;
            return false;
        }

        gid = Marshal.PtrToStructure<Group>(entry).Gid;
        return true;
    }
}
