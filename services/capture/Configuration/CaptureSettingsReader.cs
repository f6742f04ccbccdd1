using System.Globalization;
using CanMesh.Capture.Pipeline;
using CanMesh.Configuration;
using CanMesh.Frames;
using CanMesh.Store;
using Microsoft.Extensions.Configuration;

namespace CanMesh.Capture.Configuration;

/// <summary>
/// Reads and validates the capture service's configuration (the Capture and Store sections). Every
/// problem is reported at once, each naming its key, the value and what is allowed; unknown keys are
/// problems too, since a misspelled key would otherwise silently keep its default.
/// </summary>
public static class CaptureSettingsReader
{
    public const string DefaultDatabasePath = "/var/lib/canmesh/capture.db";

    /// <summary>Settings that apply to one kind of source only; given for another kind they are an error.</summary>
    private static readonly Dictionary<string, SourceKind> KindOnlyKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ReceiveBuffer"] = SourceKind.SocketCan, ["Timestamps"] = SourceKind.SocketCan, ["Fd"] = SourceKind.SocketCan,
        ["ErrorMask"] = SourceKind.SocketCan, ["Filters"] = SourceKind.SocketCan, ["FramesPerRead"] = SourceKind.SocketCan,
        ["RetryInterval"] = SourceKind.SocketCan,
        ["Path"] = SourceKind.Replay, ["Pace"] = SourceKind.Replay, ["Loop"] = SourceKind.Replay, ["Retime"] = SourceKind.Replay,
        ["FramesPerSecond"] = SourceKind.Sim, ["Count"] = SourceKind.Sim, ["IdMin"] = SourceKind.Sim, ["IdMax"] = SourceKind.Sim,
        ["ExtendedShare"] = SourceKind.Sim, ["FdShare"] = SourceKind.Sim, ["PayloadMin"] = SourceKind.Sim,
        ["PayloadMax"] = SourceKind.Sim, ["Seed"] = SourceKind.Sim,
    };

    /// <exception cref="ConfigurationException">The configuration has problems; the message lists them.</exception>
    public static CaptureSettings Read(IConfiguration configuration, string? baseDirectory = null)
    {
        var reader = new SettingsReader(configuration);
        var interfaces = ReadInterfaces(reader, baseDirectory);
        var pipeline = new PipelineSettings
        {
            QueueCapacityFrames = reader.GetInt32("Capture:Queue:CapacityFrames", 262_144, 1_024, 64 << 20),
            BatchFrames = reader.GetInt32("Capture:Queue:BatchFrames", 256, 1, 65_536),
            CommitMaxFrames = reader.GetInt32("Capture:Commit:MaxFrames", 16_384, 1, 10_000_000),
            CommitMaxDelay = reader.GetDuration("Capture:Commit:MaxDelay", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1)),
        };
        if (pipeline.BatchFrames > pipeline.QueueCapacityFrames)
        {
            reader.AddProblem("Capture:Queue:BatchFrames", pipeline.BatchFrames.ToString(CultureInfo.InvariantCulture), "must not exceed Capture:Queue:CapacityFrames");
        }
        var statsInterval = reader.GetDuration("Capture:Stats:Interval", TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.FromDays(1));
        var exitWhenSourcesEnd = reader.GetBool("Capture:ExitWhenSourcesEnd", true);

        var store = new StoreSettings
        {
            Path = Resolve(reader.GetString("Store:Path", DefaultDatabasePath), baseDirectory),
            Synchronous = reader.GetEnum("Store:Synchronous", SynchronousMode.Full),
            Retention = new RetentionSettings
            {
                MaxAge = reader.GetOptionalString("Store:Retention:MaxAge") is null ? null
                    : reader.GetDuration("Store:Retention:MaxAge", TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromDays(36_500)),
                MaxBytes = reader.GetOptionalString("Store:Retention:MaxBytes") is null ? null
                    : reader.GetSize("Store:Retention:MaxBytes", 0, 1L << 20, long.MaxValue / 4),
                MinFreeDiskBytes = reader.GetSize("Store:Retention:MinFreeDisk", 64L << 20, 0, long.MaxValue / 4),
                CheckInterval = reader.GetDuration("Store:Retention:CheckInterval", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1)),
            },
            Subscribers = ReadSubscribers(reader),
        };

        var api = new ApiSettings
        {
            Enabled = reader.GetBool("Api:Enabled", true),
            SocketPath = Resolve(reader.GetString("Api:SocketPath", ApiSettings.DefaultSocketPath), baseDirectory),
            SocketMode = reader.GetString("Api:SocketMode", "0660"),
            SocketGroup = reader.GetOptionalString("Api:SocketGroup"),
            TcpPort = reader.GetOptionalString("Api:TcpPort") is null ? null : reader.GetInt32("Api:TcpPort", 0, 0, 65535),
            HealthStallTimeout = reader.GetDuration("Api:HealthStallTimeout", ApiSettings.DefaultHealthStallTimeout, TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1)),
        };
        if (api.Enabled)
        {
            if (System.Text.Encoding.UTF8.GetByteCount(api.SocketPath) > 107)
            {
                reader.AddProblem("Api:SocketPath", api.SocketPath, "a Unix socket path may have at most 107 bytes; choose a shorter path");
            }
            if (!System.Text.RegularExpressions.Regex.IsMatch(api.SocketMode, "^0?[0-7]{3}$"))
            {
                reader.AddProblem("Api:SocketMode", api.SocketMode, "an octal permission mode such as 0660 (owner and group may connect) or 0666 (anyone)");
            }
        }

        reader.RejectUnknownKeys("Capture", "Store", "Api");
        reader.ThrowIfInvalid();
        return new CaptureSettings
        {
            Interfaces = interfaces,
            Pipeline = pipeline,
            Store = store,
            Api = api,
            StatsInterval = statsInterval,
            ExitWhenSourcesEnd = exitWhenSourcesEnd,
        };
    }

    private static SubscriberSettings ReadSubscribers(SettingsReader reader)
    {
        var forgetAfter = reader.GetDuration("Store:Subscribers:ForgetAfter", new SubscriberSettings().ForgetAfter!.Value, TimeSpan.Zero, DurationText.MaxValue);
        // 0: never forget.
        return new SubscriberSettings { ForgetAfter = forgetAfter > TimeSpan.Zero ? forgetAfter : null };
    }

    private static List<InterfaceSettings> ReadInterfaces(SettingsReader reader, string? baseDirectory)
    {
        var list = new List<InterfaceSettings>();
        var indexes = reader.ChildKeys("Capture:Interfaces");
        if (indexes.Count == 0)
        {
            reader.AddProblem("Capture:Interfaces", null,
                "required: at least one interface, e.g. { \"Name\": \"can0\", \"Source\": \"socketcan\" } (or CANMESH_CAPTURE__INTERFACES__0__NAME=can0)");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var index in indexes)
        {
            var prefix = $"Capture:Interfaces:{index}";
            var name = reader.GetRequiredString($"{prefix}:Name", "the interface name, e.g. can0");
            if (name.Length > 0 && !names.Add(name)) reader.AddProblem($"{prefix}:Name", name, "each interface name may appear once");
            var kind = reader.GetEnum($"{prefix}:Source", SourceKind.SocketCan);
            foreach (var (key, owner) in KindOnlyKeys)
            {
                if (owner != kind && reader.GetOptionalString($"{prefix}:{key}") is { } value)
                {
                    reader.AddProblem($"{prefix}:{key}", value, $"applies only to Source {owner.ToString().ToLowerInvariant()}, and this interface's Source is {kind.ToString().ToLowerInvariant()}");
                }
            }
            list.Add(kind switch
            {
                SourceKind.SocketCan => new InterfaceSettings { Name = name, Source = kind, SocketCan = ReadSocketCan(reader, prefix) },
                SourceKind.Replay => new InterfaceSettings { Name = name, Source = kind, Replay = ReadReplay(reader, prefix, baseDirectory) },
                _ => new InterfaceSettings { Name = name, Source = kind, Sim = ReadSim(reader, prefix) },
            });
        }
        return list;
    }

    private static SocketCanSettings ReadSocketCan(SettingsReader reader, string prefix)
    {
        var filters = new List<CanFilter>();
        foreach (var (key, text) in reader.GetList($"{prefix}:Filters"))
        {
            if (CanFilter.TryParse(text, out var filter, out var error)) filters.Add(filter);
            else reader.AddProblem(key, text, error);
        }
        return new SocketCanSettings
        {
            ReceiveBufferBytes = reader.GetSize($"{prefix}:ReceiveBuffer", 8L << 20, 4096, 1L << 30),
            Timestamps = reader.GetEnum($"{prefix}:Timestamps", TimestampSource.Kernel),
            Fd = reader.GetBool($"{prefix}:Fd", true),
            ErrorMask = ReadHex(reader, $"{prefix}:ErrorMask", 0x1FFF_FFFF, 0x1FFF_FFFF),
            Filters = filters,
            FramesPerRead = reader.GetInt32($"{prefix}:FramesPerRead", 64, 1, 1024),
            RetryInterval = reader.GetDuration($"{prefix}:RetryInterval", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
        };
    }

    private static ReplaySettings ReadReplay(SettingsReader reader, string prefix, string? baseDirectory)
    {
        var path = reader.GetRequiredString($"{prefix}:Path", "the candump log file to replay");
        if (path.Length > 0)
        {
            path = Resolve(path, baseDirectory);
            if (!File.Exists(path)) reader.AddProblem($"{prefix}:Path", path, "no such file; give the path of a candump log (candump -l)");
        }
        var loop = reader.GetBool($"{prefix}:Loop", false);
        return new ReplaySettings
        {
            Path = path,
            Pace = reader.GetEnum($"{prefix}:Pace", ReplayPace.Fast),
            Loop = loop,
            Retime = reader.GetBool($"{prefix}:Retime", loop),
        };
    }

    private static SimSettings ReadSim(SettingsReader reader, string prefix)
    {
        var settings = new SimSettings
        {
            FramesPerSecond = reader.GetDouble($"{prefix}:FramesPerSecond", 1000, 0, 10_000_000),
            Count = reader.GetInt64($"{prefix}:Count", 0, 0, long.MaxValue),
            IdMin = ReadHex(reader, $"{prefix}:IdMin", 0x100, CanFrame.MaxExtendedId),
            IdMax = ReadHex(reader, $"{prefix}:IdMax", 0x1FF, CanFrame.MaxExtendedId),
            ExtendedShare = reader.GetDouble($"{prefix}:ExtendedShare", 0, 0, 1),
            FdShare = reader.GetDouble($"{prefix}:FdShare", 0, 0, 1),
            PayloadMin = reader.GetInt32($"{prefix}:PayloadMin", 0, 0, 8),
            PayloadMax = reader.GetInt32($"{prefix}:PayloadMax", 8, 0, 8),
            Seed = reader.GetInt32($"{prefix}:Seed", 1, int.MinValue, int.MaxValue),
        };
        if (settings.IdMin > settings.IdMax)
        {
            reader.AddProblem($"{prefix}:IdMin", settings.IdMin.ToString("X", CultureInfo.InvariantCulture), $"must not be above IdMax ({settings.IdMax:X})");
        }
        if (settings.PayloadMin > settings.PayloadMax)
        {
            reader.AddProblem($"{prefix}:PayloadMin", settings.PayloadMin.ToString(CultureInfo.InvariantCulture), $"must not be above PayloadMax ({settings.PayloadMax})");
        }
        return settings;
    }

    private static uint ReadHex(SettingsReader reader, string key, uint defaultValue, uint max)
    {
        var text = reader.GetOptionalString(key);
        if (text is null) return defaultValue;
        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (uint.TryParse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value) && value <= max) return value;
        reader.AddProblem(key, text, $"a hexadecimal number from 0 to {max:X} (e.g. 7FF or 0x1FFFFFFF)");
        return defaultValue;
    }

    private static string Resolve(string path, string? baseDirectory) =>
        baseDirectory is null || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
}
