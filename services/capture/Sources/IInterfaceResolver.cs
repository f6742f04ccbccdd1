namespace CanMesh.Capture.Sources;

/// <summary>
/// Turns an interface name ("can0") into the small number frames carry (<see cref="Frames.CanFrame.InterfaceId"/>).
/// Sources call it when they open an interface or meet a new name in a log, never per frame.
/// Thread-safe.
/// </summary>
public interface IInterfaceResolver
{
    ushort Resolve(string interfaceName);
}
