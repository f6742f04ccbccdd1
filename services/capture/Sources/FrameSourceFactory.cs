using CanMesh.Capture.Configuration;
using CanMesh.Capture.Sources.Replay;
using CanMesh.Capture.Sources.Sim;
using CanMesh.Capture.Sources.SocketCan;

namespace CanMesh.Capture.Sources;

/// <summary>Makes the source each configured interface asks for. Adding a kind of source touches this switch and its folder.</summary>
public static class FrameSourceFactory
{
    public static IFrameSource Create(InterfaceSettings settings) => settings.Source switch
    {
        SourceKind.SocketCan => new SocketCanSource(settings.Name, settings.SocketCan!),
        SourceKind.Replay => new ReplaySource(settings.Name, settings.Replay!),
        SourceKind.Sim => new SimSource(settings.Name, settings.Sim!),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Source, "Unknown source kind."),
    };
}
