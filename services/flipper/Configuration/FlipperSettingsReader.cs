using System.Net;
using System.Net.Sockets;
using CanMesh.Configuration;
using Microsoft.Extensions.Configuration;

namespace CanMesh.Flipper.Configuration;

/// <summary>
/// Reads and validates the flipper service's configuration (the Capture and Flipper sections), every problem at
/// once, each naming its key and environment variable, the value and what is allowed.
/// </summary>
public static class FlipperSettingsReader
{
    /// <summary>The longest label: the Flipper shows it on a 128-pixel screen, and the line must stay short.</summary>
    public const int MaxLabelLength = 32;

    /// <exception cref="ConfigurationException">The configuration has problems; the message lists them.</exception>
    public static FlipperSettings Read(IConfiguration configuration, string? baseDirectory = null)
    {
        var reader = new SettingsReader(configuration);
        var defaults = new FlipperSettings();
        var socket = reader.GetString("Capture:Socket", FlipperSettings.DefaultCaptureSocket);
        var device = reader.GetString("Flipper:Device", defaults.Device);
        var label = reader.GetString("Flipper:Label", DefaultLabel());
        if (!IsLabel(label))
        {
            reader.AddProblem("Flipper:Label", label, $"1-{MaxLabelLength} printable ASCII characters without ',' or ':' (they separate the line's fields)");
        }
        var ip = reader.GetOptionalString("Flipper:Ip");
        if (ip is not null && !(IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetwork))
        {
            reader.AddProblem("Flipper:Ip", ip, "an IPv4 address like 192.168.1.20, or empty to detect the primary one");
        }
        var forwarder = reader.GetString("Flipper:ForwarderSubscriber", defaults.ForwarderSubscriber);
        if (!IsSubscriberName(forwarder))
        {
            reader.AddProblem("Flipper:ForwarderSubscriber", forwarder, "1-64 characters of A-Z, a-z, 0-9, '_', '.', '-'");
        }
        var subscriber = reader.GetString("Flipper:Subscriber", defaults.Subscriber);
        if (!IsSubscriberName(subscriber))
        {
            reader.AddProblem("Flipper:Subscriber", subscriber, "1-64 characters of A-Z, a-z, 0-9, '_', '.', '-'");
        }
        else if (string.Equals(subscriber, forwarder, StringComparison.Ordinal))
        {
            // Acking live frames under the forwarder's name would move its watermark past frames PostgreSQL lacks.
            reader.AddProblem("Flipper:Subscriber", subscriber, "must differ from Flipper:ForwarderSubscriber");
        }
        var settings = new FlipperSettings
        {
            CaptureSocket = Resolve(socket, baseDirectory),
            Device = Resolve(device, baseDirectory),
            BaudRate = reader.GetInt32("Flipper:BaudRate", defaults.BaudRate, 50, 4_000_000),
            Label = label,
            Ip = ip,
            Interval = reader.GetDuration("Flipper:Interval", defaults.Interval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            ForwarderSubscriber = forwarder,
            Subscriber = subscriber,
            ReopenDelay = reader.GetDuration("Flipper:ReopenDelay", defaults.ReopenDelay, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(10)),
            ReadMode = reader.GetEnum("Flipper:ReadMode", defaults.ReadMode),
            PollInterval = reader.GetDuration("Flipper:PollInterval", defaults.PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1)),
        };
        reader.RejectUnknownKeys("Capture", "Flipper");
        reader.ThrowIfInvalid();
        return settings;
    }

    /// <summary>The host name, cut to a valid label (a name with a dot keeps its first part).</summary>
    private static string DefaultLabel()
    {
        var name = new string(Dns.GetHostName().Split('.')[0].Where(c => c is > ' ' and < '\x7f' and not (',' or ':')).ToArray());
        if (name.Length > MaxLabelLength) name = name[..MaxLabelLength];
        return name.Length > 0 ? name : "canmesh";
    }

    private static string Resolve(string path, string? baseDirectory) =>
        baseDirectory is null || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));

    private static bool IsLabel(string label) =>
        label.Length is >= 1 and <= MaxLabelLength && label.All(c => c is >= ' ' and < '\x7f' and not (',' or ':'));

    private static bool IsSubscriberName(string name) =>
        name.Length is >= 1 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
