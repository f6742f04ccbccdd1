using CanMesh.Flipper.Hosting;
using Microsoft.Extensions.Logging;

namespace CanMesh.Flipper.Uart;

/// <summary>
/// Opens the device, trying again every reopen delay while it is missing, busy or failing, with one log line
/// when the reason changes rather than one per attempt.
/// </summary>
internal sealed class DeviceOpener(string path, int baudRate, TimeSpan retryDelay, ILogger logger)
{
    /// <summary>The open device, or null once <paramref name="stopping"/> fires.</summary>
    public async Task<SerialDevice?> OpenAsync(CancellationToken stopping)
    {
        OpenOutcome? said = null;
        while (!stopping.IsCancellationRequested)
        {
            var (device, outcome, detail) = SerialDevice.TryOpen(path, baudRate);
            if (device is not null)
            {
                FlipperLog.DeviceOpened(logger, path);
                return device;
            }
            if (outcome != said)
            {
                var retryMs = (long)retryDelay.TotalMilliseconds;
                if (outcome == OpenOutcome.Missing) FlipperLog.DeviceMissing(logger, path, retryMs);
                else FlipperLog.DeviceUnavailable(logger, path, detail, retryMs);
                said = outcome;
            }
            try
            {
                await Task.Delay(retryDelay, stopping);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return null;
    }
}
