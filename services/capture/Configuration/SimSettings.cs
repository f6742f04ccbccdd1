namespace CanMesh.Capture.Configuration;

/// <summary>What the synthetic source generates.</summary>
public sealed record SimSettings
{
    /// <summary>Frames per second; 0 generates as fast as the pipeline takes them.</summary>
    public double FramesPerSecond { get; init; } = 1000;

    /// <summary>Stop after this many frames; 0 runs until stopped.</summary>
    public long Count { get; init; }

    /// <summary>Lowest and highest identifier generated.</summary>
    public uint IdMin { get; init; } = 0x100;
    public uint IdMax { get; init; } = 0x1FF;

    /// <summary>Share of frames with 29-bit identifiers (0..1).</summary>
    public double ExtendedShare { get; init; }

    /// <summary>Share of CAN FD frames (0..1); they get 0..64 bytes, classic frames 0..8.</summary>
    public double FdShare { get; init; }

    /// <summary>Smallest and largest classic payload.</summary>
    public int PayloadMin { get; init; }
    public int PayloadMax { get; init; } = 8;

    /// <summary>Seed of the generator, for repeatable runs.</summary>
    public int Seed { get; init; } = 1;
}
