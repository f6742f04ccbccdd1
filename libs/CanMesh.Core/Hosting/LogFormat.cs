namespace CanMesh.Hosting;

/// <summary>How a service writes its log to the console (Logging:Format).</summary>
public enum LogFormat
{
    /// <summary>One readable line per entry, with a UTC timestamp.</summary>
    Simple,

    /// <summary>syslog priority prefixes and no colours, for journald.</summary>
    Systemd,

    /// <summary>One JSON object per line, for log shippers.</summary>
    Json,
}
