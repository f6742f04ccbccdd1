using CanMesh.Flipper.Hosting;
using Microsoft.Extensions.Logging;

namespace CanMesh.Flipper.Uart;

/// <summary>
/// Whether writes to the device go through: a Flipper app that stopped reading fills the UART's buffer and every
/// write times out. One log line when that starts and one when it ends, not one per dropped line.
/// </summary>
internal sealed class WriteHealth(string device, ILogger logger)
{
    private long _dropped;

    public void Record(bool written)
    {
        if (!written)
        {
            if (_dropped++ == 0) FlipperLog.WriteStalled(logger, device);
            return;
        }
        if (_dropped > 0) FlipperLog.WriteResumed(logger, device, _dropped);
        _dropped = 0;
    }
}
