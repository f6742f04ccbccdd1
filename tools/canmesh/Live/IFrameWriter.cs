using CanMesh.Client.Decoding;

namespace CanMesh.Cli.Live;

/// <summary>
/// One output format of dump: writes frames of a batch, buffered, and pushes them out on <see cref="FlushAsync"/>
/// (once per batch, so a pipe sees frames as they commit without a write per frame). Adding a format touches one file.
/// </summary>
internal interface IFrameWriter : IAsyncDisposable
{
    /// <summary>Writes the first <paramref name="count"/> frames of <paramref name="batch"/>.</summary>
    void Write(DecodedFrameBatch batch, int count);

    /// <exception cref="OutputClosedException">The reader of standard output has gone (a closed pipe).</exception>
    Task FlushAsync(CancellationToken cancellationToken);
}
