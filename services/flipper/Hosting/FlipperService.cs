using System.Numerics;
using CanMesh.Client;
using CanMesh.Flipper.Configuration;
using CanMesh.Flipper.Protocol;
using CanMesh.Flipper.Status;
using CanMesh.Flipper.Uart;
using Microsoft.Extensions.Logging;

namespace CanMesh.Flipper.Hosting;

/// <summary>
/// The service's life: the capture watcher and the live subscriber run beside the UART loop, which opens the
/// device (waiting for it), answers INIT with ACK, sends STATS every interval until STOP, and on losing the device
/// closes it and starts over silent. Stopping ends all three; the device's close has a deadline.
/// </summary>
internal sealed class FlipperService(FlipperSettings settings, ILoggerFactory loggers)
{
    /// <summary>How soon the device is looked at again after bytes came in: a burst is taken at pty speed, not 4 KiB per poll interval.</summary>
    private static readonly TimeSpan BusyPollInterval = TimeSpan.FromMilliseconds(2);

    private readonly ILogger _logger = loggers.CreateLogger("CanMesh.Flipper");
    private long _sessions;
    private long _statsLines;

    public async Task RunAsync(CancellationToken stopping)
    {
        FlipperLog.Starting(_logger, settings.Label, settings.Device, settings.BaudRate, settings.ReadMode.ToString().ToLowerInvariant(),
            (long)settings.Interval.TotalMilliseconds, settings.CaptureSocket, settings.ForwarderSubscriber);
        await using var client = new CaptureClient(settings.CaptureSocket, new CaptureClientOptions { LoggerFactory = loggers });
        var watcher = new CaptureWatcher(client, settings.ForwarderSubscriber, settings.Interval, settings.ReopenDelay, _logger);
        var subscriber = new LiveSubscriber(client, settings.Subscriber, settings.ReopenDelay, _logger);
        using var background = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var watching = watcher.RunAsync(background.Token);
        var subscribing = subscriber.RunAsync(background.Token);
        try
        {
            await RunUartAsync(watcher, stopping);
        }
        finally
        {
            await background.CancelAsync();
            await Task.WhenAll(watching, subscribing);
            FlipperLog.Stopped(_logger, _sessions, _statsLines, subscriber.Frames);
        }
    }

    private async Task RunUartAsync(CaptureWatcher watcher, CancellationToken stopping)
    {
        var opener = new DeviceOpener(settings.Device, settings.BaudRate, settings.ReopenDelay, _logger);
        var address = new HostAddress(settings.Ip);
        var session = new FlipperSession(settings.Interval);
        while (await opener.OpenAsync(stopping) is { } device)
        {
            session.Reset();
            var link = new UartLink(device, settings.ReadMode);
            var writes = new WriteHealth(settings.Device, _logger);
            long overlongSaid = 0;
            try
            {
                while (!stopping.IsCancellationRequested)
                {
                    var state = link.Check(line => OnLine(line, session, link, writes, address));
                    if (state == LinkState.Lost)
                    {
                        FlipperLog.DeviceLost(_logger, settings.Device, link.LostReason);
                        break;
                    }
                    overlongSaid = ReportOverlong(link.OverlongLines, overlongSaid);
                    if (session.StatsDue(Environment.TickCount64))
                    {
                        writes.Record(link.TryWrite(StatusLines.Stats(address.Current(), watcher.Current)));
                        _statsLines++;
                    }
                    try
                    {
                        await Task.Delay(link.Busy ? BusyPollInterval : settings.PollInterval, stopping);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
            finally
            {
                if (!link.Close()) FlipperLog.CloseAbandoned(_logger, settings.Device, (long)SerialDevice.CloseTimeout.TotalMilliseconds);
                link.Dispose();
            }
            if (stopping.IsCancellationRequested) break;
            // Right after a loss the path is usually still there for a moment: wait before the first reopen.
            try
            {
                await Task.Delay(settings.ReopenDelay, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Logs dropped overlong lines at 1, 2, 4, 8, ...: a noisy line shows in the log without flooding it.</summary>
    private long ReportOverlong(long overlong, long said)
    {
        if (overlong > said && (said == 0 || BitOperations.Log2((ulong)overlong) > BitOperations.Log2((ulong)said)))
        {
            FlipperLog.LineOverlong(_logger, UartLink.MaxLineBytes, settings.Device, overlong);
        }
        return overlong;
    }

    private void OnLine(string line, FlipperSession session, UartLink link, WriteHealth writes, HostAddress address)
    {
        switch (session.Handle(line, Environment.TickCount64))
        {
            case FlipperCommandKind.Init:
                var ack = StatusLines.Ack(settings.Label, address.Current());
                writes.Record(link.TryWrite(ack));
                _sessions++;
                FlipperLog.SessionStarted(_logger, settings.Device, ack, (long)settings.Interval.TotalMilliseconds);
                break;
            case FlipperCommandKind.Stop:
                FlipperLog.SessionStopped(_logger, settings.Device, session.StatsInSession);
                break;
            default:
                FlipperLog.LineIgnored(_logger, line);
                break;
        }
    }
}
