using System.Diagnostics;
using System.Text.Json;

namespace CanMesh.Capture.Api;

/// <summary>
/// A SocketCAN interface's bit rates, as `ip -details -json link show` reports them (the kernel gives
/// them over netlink only). Unknown (0) when ip is missing, the interface is virtual, or it is down.
/// </summary>
internal static class InterfaceBitrates
{
    public static (uint Bitrate, uint DataBitrate) Read(string? interfaceName)
    {
        if (interfaceName is null) return (0, 0);
        try
        {
            var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-details", "-json", "link", "show", interfaceName }) info.ArgumentList.Add(argument);
            using var process = Process.Start(info);
            if (process is null) return (0, 0);
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(2000) || process.ExitCode != 0) return (0, 0);
            using var json = JsonDocument.Parse(output);
            foreach (var link in json.RootElement.EnumerateArray())
            {
                if (!link.TryGetProperty("linkinfo", out var linkInfo) || !linkInfo.TryGetProperty("info_data", out var data)) continue;
                return (Rate(data, "bittiming"), Rate(data, "data_bittiming"));
            }
        }
        catch (Exception error) when (error is System.ComponentModel.Win32Exception or JsonException or InvalidOperationException)
        {
            // No ip tool, or output this code does not understand: the rates stay unknown.
        }
        return (0, 0);
    }

    private static uint Rate(JsonElement data, string section) =>
        data.TryGetProperty(section, out var timing) && timing.TryGetProperty("bitrate", out var rate) && rate.TryGetUInt32(out var value) ? value : 0;
}
