using System.Globalization;
using System.Text;
using CanMesh.Flipper.Status;

namespace CanMesh.Flipper.Protocol;

/// <summary>
/// The lines the Pi sends. ACK:&lt;label&gt;,ip=&lt;ip&gt;, and
/// STATS:ip=..,total=..,pending=..,processed=.. followed by this service's extra fields
/// (rate, ifaces, drops, fwd, capture), so an app that parses the first four keeps working.
/// </summary>
internal static class StatusLines
{
    /// <summary>Interfaces listed in a STATS line at most; more are summed up as "+N".</summary>
    public const int MaxInterfaces = 8;

    public static string Ack(string label, string ip) => $"ACK:{label},ip={ip}";

    public static string Stats(string ip, CaptureStatus status)
    {
        var line = new StringBuilder(160);
        line.Append(CultureInfo.InvariantCulture,
            $"STATS:ip={ip},total={status.Total},pending={status.Pending},processed={status.Processed}");
        line.Append(CultureInfo.InvariantCulture, $",rate={Math.Round(status.FramesPerSecond):0}");
        line.Append(",ifaces=");
        if (status.Interfaces.Count == 0) line.Append("none");
        for (var i = 0; i < Math.Min(status.Interfaces.Count, MaxInterfaces); i++)
        {
            if (i > 0) line.Append(';');
            line.Append(Field(status.Interfaces[i].Name)).Append(':').Append(Field(status.Interfaces[i].State));
        }
        if (status.Interfaces.Count > MaxInterfaces) line.Append(CultureInfo.InvariantCulture, $";+{status.Interfaces.Count - MaxInterfaces}");
        line.Append(CultureInfo.InvariantCulture, $",drops={status.Drops}");
        line.Append(",fwd=").Append(status.Forwarder switch
        {
            ForwarderState.Connected => "connected",
            ForwarderState.Disconnected => "disconnected",
            _ => "none",
        });
        line.Append(",capture=").Append(status.CaptureUp ? "up" : "down");
        return line.ToString();
    }

    /// <summary>A name from the capture, kept from breaking the line's structure.</summary>
    private static string Field(string value)
    {
        var text = new StringBuilder(Math.Min(value.Length, 24));
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, 24)))
        {
            text.Append(c is > ' ' and < '\x7f' and not (',' or ';' or ':' or '=') ? c : '_');
        }
        return text.Length > 0 ? text.ToString() : "_";
    }
}
