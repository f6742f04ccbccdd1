namespace CanMesh.Flipper.Protocol;

/// <summary>What a line from the Flipper asks for.</summary>
internal enum FlipperCommandKind
{
    /// <summary>Anything else: noise on the line, a command of a newer app. Ignored.</summary>
    Unknown,

    /// <summary>INIT:flipper: start a session (answer ACK, then STATS every interval).</summary>
    Init,

    /// <summary>STOP:flipper: stop sending until the next INIT.</summary>
    Stop,
}

/// <summary>Reads the Flipper's lines: the command word before ':' in any case, surrounding blanks ignored.</summary>
internal static class FlipperCommand
{
    public static FlipperCommandKind Parse(string line)
    {
        var text = line.AsSpan().Trim();
        var colon = text.IndexOf(':');
        var word = colon < 0 ? text : text[..colon].TrimEnd();
        // The argument ("flipper") is not checked: the app sends its own name there, and nothing depends on it.
        if (word.Equals("INIT", StringComparison.OrdinalIgnoreCase)) return FlipperCommandKind.Init;
        if (word.Equals("STOP", StringComparison.OrdinalIgnoreCase)) return FlipperCommandKind.Stop;
        return FlipperCommandKind.Unknown;
    }
}
