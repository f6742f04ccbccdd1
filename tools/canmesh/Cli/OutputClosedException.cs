namespace CanMesh.Cli;

/// <summary>
/// The reader of standard output has gone (`canmesh dump | head`, a closed pager). Not a failure: a verb that meets
/// it ends quietly with exit 0, as candump does; <see cref="CaptureVerb"/> sees to that.
/// </summary>
internal sealed class OutputClosedException(IOException cause) : IOException("standard output was closed", cause);
