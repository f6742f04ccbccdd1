using CanMesh.Capture.Configuration;
using CanMesh.Configuration;
using CanMesh.Hosting;
using CanMesh.Store;

namespace CanMesh.Capture.Tests;

public sealed class ConfigurationTests
{
    private static CaptureSettings Read(params (string Key, string Value)[] values) =>
        CaptureSettingsReader.Read(ServiceConfiguration.Build(null, values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))));

    private static string Problems(params (string Key, string Value)[] values) =>
        Assert.Throws<ConfigurationException>(() => Read(values)).Message;

    [Fact]
    public void A_full_configuration_reads_into_typed_settings()
    {
        var settings = Read(
            ("Capture:Interfaces:0:Name", "can0"),
            ("Capture:Interfaces:0:ReceiveBuffer", "16MiB"),
            ("Capture:Interfaces:0:Timestamps", "hardware"),
            ("Capture:Interfaces:0:ErrorMask", "0x4"),
            ("Capture:Interfaces:0:Filters:0", "123:7FF"),
            ("Capture:Interfaces:0:Filters:1", "~18DA00F1:9FFFFFFF"),
            ("Capture:Interfaces:1:Name", "sim0"),
            ("Capture:Interfaces:1:Source", "Sim"),
            ("Capture:Interfaces:1:FramesPerSecond", "2500"),
            ("Capture:Interfaces:1:IdMax", "7FF"),
            ("Capture:Commit:MaxDelay", "250ms"),
            ("Store:Path", "/data/x.db"),
            ("Store:Synchronous", "normal"),
            ("Store:Retention:MaxAge", "7d"),
            ("Store:Retention:MaxBytes", "2GiB"));

        var can0 = settings.Interfaces[0];
        Assert.Equal(SourceKind.SocketCan, can0.Source);
        Assert.Equal(16L << 20, can0.SocketCan!.ReceiveBufferBytes);
        Assert.Equal(TimestampSource.Hardware, can0.SocketCan.Timestamps);
        Assert.Equal(4u, can0.SocketCan.ErrorMask);
        Assert.Equal([new CanFilter(0x123, 0x7FF, false), new CanFilter(0x18DA00F1, 0x9FFFFFFF, true)], can0.SocketCan.Filters);
        Assert.Equal(2500, settings.Interfaces[1].Sim!.FramesPerSecond);
        Assert.Equal(0x7FFu, settings.Interfaces[1].Sim!.IdMax);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Pipeline.CommitMaxDelay);
        Assert.Equal(SynchronousMode.Normal, settings.Store.Synchronous);
        Assert.Equal(TimeSpan.FromDays(7), settings.Store.Retention.MaxAge);
        Assert.Equal(2L << 30, settings.Store.Retention.MaxBytes);
    }

    [Fact]
    public void Defaults_are_durable_and_socketcan()
    {
        var settings = Read(("Capture:Interfaces:0:Name", "can0"));
        Assert.Equal(SynchronousMode.Full, settings.Store.Synchronous);
        Assert.Equal(CaptureSettingsReader.DefaultDatabasePath, settings.Store.Path);
        Assert.Equal(SourceKind.SocketCan, settings.Interfaces[0].Source);
        Assert.Null(settings.Store.Retention.MaxAge);
    }

    [Fact]
    public void Idle_subscribers_are_forgotten_after_an_hour_by_default_and_never_with_0()
    {
        const string key = "Store:Subscribers:ForgetAfter";
        (string, string) can0 = ("Capture:Interfaces:0:Name", "can0");
        Assert.Equal(TimeSpan.FromHours(1), Read(can0).Store.Subscribers.ForgetAfter);
        Assert.Equal(TimeSpan.FromSeconds(2), Read(can0, (key, "2s")).Store.Subscribers.ForgetAfter);
        Assert.Null(Read(can0, (key, "0")).Store.Subscribers.ForgetAfter);
        Assert.Contains("Store:Subscribers:ForgetAfter (env CANMESH_STORE__SUBSCRIBERS__FORGETAFTER) = 'soon': a duration from 0ms to 36500d",
            Problems(can0, (key, "soon")));
    }

    [Fact]
    public void Environment_variables_override_the_file_with_the_documented_names()
    {
        var folder = Path.Combine(Path.GetTempPath(), "canmesh-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "capture.json");
        File.WriteAllText(file, """{ "Capture": { "Interfaces": [ { "Name": "can0" } ] }, "Store": { "Path": "relative/capture.db" } }""");
        const string variable = "CANMESH_CAPTURE__INTERFACES__0__NAME";
        Environment.SetEnvironmentVariable(variable, "can7");
        try
        {
            var settings = CaptureSettingsReader.Read(ServiceConfiguration.Build(file), ServiceConfiguration.BaseDirectory(file));
            Assert.Equal("can7", settings.Interfaces[0].Name);
            // Relative paths are taken from the configuration file's folder, not the working directory.
            Assert.Equal(Path.Combine(folder, "relative", "capture.db"), settings.Store.Path);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void No_interface_is_a_problem_that_shows_how_to_add_one()
    {
        Assert.Contains("Capture:Interfaces (env CANMESH_CAPTURE__INTERFACES): required: at least one interface", Problems());
    }

    [Fact]
    public void Each_bad_value_names_its_key_value_and_what_is_allowed()
    {
        var message = Problems(
            ("Capture:Interfaces:0:Name", "can0"),
            ("Capture:Interfaces:0:Source", "usb"),
            ("Capture:Interfaces:1:Name", "can0"),
            ("Capture:Interfaces:1:ErrorMask", "FFFFFFFFF"),
            ("Capture:Interfaces:1:Timestamps", "gps"),
            ("Capture:Interfaces:2:Name", "sim0"),
            ("Capture:Interfaces:2:Source", "sim"),
            ("Capture:Interfaces:2:FdShare", "1.5"),
            ("Capture:Interfaces:2:IdMin", "300"),
            ("Capture:Interfaces:2:IdMax", "200"),
            ("Capture:Interfaces:2:Filters", "123:7FF"),
            ("Capture:Commit:MaxDelay", "soon"),
            ("Store:Retention:MaxBytes", "12 bananas"));
        Assert.Contains("Capture:Interfaces:0:Source (env CANMESH_CAPTURE__INTERFACES__0__SOURCE) = 'usb': allowed values are socketcan, replay, sim", message);
        Assert.Contains("Capture:Interfaces:1:Name (env CANMESH_CAPTURE__INTERFACES__1__NAME) = 'can0': each interface name may appear once", message);
        Assert.Contains("Capture:Interfaces:1:ErrorMask (env CANMESH_CAPTURE__INTERFACES__1__ERRORMASK) = 'FFFFFFFFF': a hexadecimal number from 0 to 1FFFFFFF", message);
        Assert.Contains("Capture:Interfaces:1:Timestamps (env CANMESH_CAPTURE__INTERFACES__1__TIMESTAMPS) = 'gps': allowed values are kernel, hardware", message);
        Assert.Contains("Capture:Interfaces:2:FdShare (env CANMESH_CAPTURE__INTERFACES__2__FDSHARE) = '1.5': a number from 0 to 1", message);
        Assert.Contains("Capture:Interfaces:2:IdMin (env CANMESH_CAPTURE__INTERFACES__2__IDMIN) = '300': must not be above IdMax (200)", message);
        Assert.Contains("Capture:Interfaces:2:Filters (env CANMESH_CAPTURE__INTERFACES__2__FILTERS) = '123:7FF': applies only to Source socketcan, and this interface's Source is sim", message);
        Assert.Contains("Capture:Commit:MaxDelay (env CANMESH_CAPTURE__COMMIT__MAXDELAY) = 'soon': a duration from 1ms to 1m", message);
        Assert.Contains("Store:Retention:MaxBytes (env CANMESH_STORE__RETENTION__MAXBYTES) = '12 bananas': a size from 1MiB", message);
    }

    [Fact]
    public void Nan_infinite_negative_huge_and_decimal_unit_values_are_reported_problems_not_exceptions()
    {
        var message = Problems(
            ("Capture:Interfaces:0:Name", "can0"),
            ("Capture:Interfaces:0:ReceiveBuffer", "1e400"),
            ("Capture:Interfaces:0:RetryInterval", "nan"),
            ("Capture:Commit:MaxDelay", "-5s"),
            ("Capture:Stats:Interval", "1e400s"),
            ("Store:Retention:MaxAge", "NaN"),
            ("Store:Retention:MaxBytes", "8GB"),
            ("Store:Retention:MinFreeDisk", "NaN"),
            ("Store:Retention:CheckInterval", "Infinity"));
        Assert.Contains("Capture:Interfaces:0:ReceiveBuffer (env CANMESH_CAPTURE__INTERFACES__0__RECEIVEBUFFER) = '1e400': a size from 4KiB to 1GiB", message);
        Assert.Contains("(more than 9223372036854775807 bytes)", message);
        Assert.Contains("Capture:Interfaces:0:RetryInterval (env CANMESH_CAPTURE__INTERFACES__0__RETRYINTERVAL) = 'nan': a duration from 100ms to 10m, written like 250ms, 10s, 5m, 2h or 7d (not a number)", message);
        Assert.Contains("Capture:Commit:MaxDelay (env CANMESH_CAPTURE__COMMIT__MAXDELAY) = '-5s': a duration from 1ms to 1m, written like 250ms, 10s, 5m, 2h or 7d (negative)", message);
        Assert.Contains("Capture:Stats:Interval (env CANMESH_CAPTURE__STATS__INTERVAL) = '1e400s': a duration from 0ms to 1d, written like 250ms, 10s, 5m, 2h or 7d (longer than 100 years)", message);
        Assert.Contains("Store:Retention:MaxAge (env CANMESH_STORE__RETENTION__MAXAGE) = 'NaN': a duration from 1s to 36500d, written like 250ms, 10s, 5m, 2h or 7d (not a number)", message);
        Assert.Contains("Store:Retention:MaxBytes (env CANMESH_STORE__RETENTION__MAXBYTES) = '8GB': a size from 1MiB", message);
        Assert.Contains("(GB is a decimal unit: use GiB/MiB/KiB (binary units))", message);
        Assert.Contains("Store:Retention:MinFreeDisk (env CANMESH_STORE__RETENTION__MINFREEDISK) = 'NaN': a size from 0B", message);
        Assert.Contains("Store:Retention:CheckInterval (env CANMESH_STORE__RETENTION__CHECKINTERVAL) = 'Infinity': a duration from 100ms to 1d, written like 250ms, 10s, 5m, 2h or 7d (longer than 100 years)", message);
    }

    [Fact]
    public void Bad_values_in_environment_variables_stop_the_executable_with_exit_code_2_and_every_key_named()
    {
        using var temp = new TempFolder();
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "sim0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "sim",
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = temp.Socket,
            ["CANMESH_STORE__RETENTION__MAXAGE"] = "NaN",
            ["CANMESH_STORE__RETENTION__MAXBYTES"] = "500MB",
            ["CANMESH_CAPTURE__COMMIT__MAXDELAY"] = "Infinity",
            ["CANMESH_STORE__RETENTION__MINFREEDISK"] = "-1",
        };
        using var capture = CaptureProcess.Start(environment);
        Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(30)), capture.Output);
        Assert.True(capture.ExitCode == 2, $"exit code {capture.ExitCode}:\n{capture.Output}");
        var stderr = capture.Stderr;
        Assert.Contains("Store:Retention:MaxAge (env CANMESH_STORE__RETENTION__MAXAGE) = 'NaN': a duration from 1s to 36500d", stderr);
        Assert.Contains("Store:Retention:MaxBytes (env CANMESH_STORE__RETENTION__MAXBYTES) = '500MB': a size from 1MiB", stderr);
        Assert.Contains("(MB is a decimal unit: use GiB/MiB/KiB (binary units))", stderr);
        Assert.Contains("Capture:Commit:MaxDelay (env CANMESH_CAPTURE__COMMIT__MAXDELAY) = 'Infinity': a duration from 1ms to 1m", stderr);
        Assert.Contains("Store:Retention:MinFreeDisk (env CANMESH_STORE__RETENTION__MINFREEDISK) = '-1': a size from 0B", stderr);
        Assert.DoesNotContain("Exception", capture.Output);
        Assert.False(File.Exists(temp.Database));
    }

    [Fact]
    public void A_replay_of_a_missing_file_is_refused_at_start()
    {
        var message = Problems(("Capture:Interfaces:0:Name", "r"), ("Capture:Interfaces:0:Source", "replay"), ("Capture:Interfaces:0:Path", "/no/such.log"));
        Assert.Contains("Capture:Interfaces:0:Path (env CANMESH_CAPTURE__INTERFACES__0__PATH) = '/no/such.log': no such file", message);
    }

    [Theory]
    [InlineData("123:7FF", 0x123u, 0x7FFu, false)]
    [InlineData("~200:700", 0x200u, 0x700u, true)]
    [InlineData(" 80000000:80000000 ", 0x80000000u, 0x80000000u, false)]
    public void Filters_are_written_as_candump_writes_them(string text, uint id, uint mask, bool inverted)
    {
        Assert.True(CanFilter.TryParse(text, out var filter, out _));
        Assert.Equal(new CanFilter(id, mask, inverted), filter);
    }

    [Theory]
    [InlineData("123")]
    [InlineData("123:")]
    [InlineData(":7FF")]
    [InlineData("12G:7FF")]
    [InlineData("123:1FFFFFFFFF")]
    public void Malformed_filters_are_rejected_with_an_example(string text)
    {
        Assert.False(CanFilter.TryParse(text, out _, out var error));
        Assert.Contains("7FF", error);
    }
}
