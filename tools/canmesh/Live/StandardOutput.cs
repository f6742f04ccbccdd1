using Microsoft.Win32.SafeHandles;

namespace CanMesh.Cli.Live;

/// <summary>
/// Standard output as a plain file stream on descriptor 1, for verbs that stream frames. Console's own stream
/// swallows EPIPE, so `canmesh dump | head` would write into a closed pipe forever; this one throws
/// <see cref="IOException"/> once the reader has gone, and the verb ends quietly, as candump does.
/// </summary>
internal static class StandardOutput
{
    public static Stream Open() => new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
}
