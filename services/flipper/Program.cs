using System.CommandLine;
using CanMesh.Flipper.Configuration;
using CanMesh.Flipper.Hosting;
using CanMesh.Hosting;
using Microsoft.Extensions.Logging;

// canmesh-flipper: the capture's live status on a Flipper Zero over a UART.
var configOption = new Option<string?>("--config", "-c")
{
    Description = "JSON configuration file. Environment variables CANMESH_<SECTION>__<KEY> override it " +
        "(CANMESH_FLIPPER__DEVICE=/dev/ttyACM0, CANMESH_FLIPPER__LABEL=bench-pi).",
    HelpName = "PATH",
};
var root = new RootCommand(
    "CanMesh flipper service: shows the capture's status on a Flipper Zero over a serial line (Flipper:Device, default " +
    "/dev/ttyAMA0 at 115200 8N1). Silent until the Flipper sends INIT:flipper; then answers ACK:<label>,ip=<ip> and sends " +
    "STATS:ip=..,total=..,pending=..,processed=..,rate=..,ifaces=..,drops=..,fwd=..,capture=.. every Flipper:Interval " +
    "until STOP:flipper. Numbers come from the capture service (Capture:Socket); pending/processed from the forwarder's " +
    "watermark (Flipper:ForwarderSubscriber). Waits for a missing device, reopens an unplugged one, keeps sending with " +
    "capture=down while the capture service is away. Stops cleanly on SIGTERM or Ctrl+C. " +
    "Exit codes: 0 stopped, 1 failed, 2 bad configuration.")
{
    configOption,
};
root.SetAction((parse, _) => RunAsync(parse.GetValue(configOption)));
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static Task<int> RunAsync(string? configPath) =>
    ServiceRunner.RunAsync(configPath, FlipperSettingsReader.Read, async (settings, loggers, stopping) =>
    {
        try
        {
            await new FlipperService(settings, loggers).RunAsync(stopping);
            return ServiceExitCodes.Ok;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Every expected trouble (device, capture) is waited out inside the service; this is a bug, said in one line
            // with its stack so systemd's restart has a reason in the journal.
            FlipperLog.Fatal(loggers.CreateLogger("CanMesh.Flipper"), error);
            return ServiceExitCodes.Failed;
        }
    });
