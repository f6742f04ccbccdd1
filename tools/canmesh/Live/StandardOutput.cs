using Microsoft.Win32.SafeHandles;

namespace CanMesh.Cli.Live;

/// <summary>
/// Standard output for verbs that stream. Console's own stream swallows EPIPE, so `canmesh dump | head` would write
/// into a closed pipe forever; a file stream on descriptor 1 fails once the reader has gone, and its failures come out
/// as <see cref="OutputClosedException"/>. That holds for pipes and terminals only: on a regular file (`> log`) a
/// FileStream writes at offsets of its own and would overwrite what the shell or an earlier command wrote there, so a
/// file gets Console's stream, which writes at the descriptor's offset (and a file has no reader to lose).
/// </summary>
internal static class StandardOutput
{
    public static Stream Open()
    {
        var descriptor = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (!descriptor.CanSeek) return new ClosablePipe(descriptor);
        descriptor.Dispose();
        return Console.OpenStandardOutput();
    }

    /// <summary>Writes through, and says <see cref="OutputClosedException"/> when a write fails.</summary>
    private sealed class ClosablePipe(FileStream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                inner.Write(buffer);
            }
            catch (IOException e)
            {
                throw new OutputClosedException(e);
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new OutputClosedException(e);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Unbuffered: every write has gone to the descriptor already.
        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
