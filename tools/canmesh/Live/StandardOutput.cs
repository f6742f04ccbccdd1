using Microsoft.Win32.SafeHandles;

namespace CanMesh.Cli.Live;

/// <summary>
/// Standard output for verbs that stream frames. Console's own stream swallows EPIPE, so `canmesh dump | head` would
/// write into a closed pipe forever; a file stream on descriptor 1 throws <see cref="IOException"/> once the reader has
/// gone, and the verb ends quietly, as candump does. That holds for pipes and terminals only: on a regular file
/// (`> log`) a FileStream writes at offsets of its own and would overwrite what the shell or an earlier command wrote
/// there, so a file gets Console's stream, which writes at the descriptor's offset (and a file has no reader to lose).
/// </summary>
internal static class StandardOutput
{
    public static Stream Open()
    {
        var descriptor = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (!descriptor.CanSeek) return descriptor;
        descriptor.Dispose();
        return Console.OpenStandardOutput();
    }
}
