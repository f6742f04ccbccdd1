using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace CanMesh.Flipper.Status;

/// <summary>
/// The Pi's primary IPv4 address, as a person would type it to reach the Pi: the source address the kernel picks
/// for the default route, else the first up non-loopback interface's, else 0.0.0.0. Looked up again after a
/// while, since DHCP or a Wi-Fi roam can change it during a session.
/// </summary>
internal sealed class HostAddress(string? configured)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private string? _cached;
    private DateTime _cachedAt;

    public string Current()
    {
        if (configured is not null) return configured;
        var now = DateTime.UtcNow;
        if (_cached is null || now - _cachedAt > CacheFor)
        {
            _cached = Detect();
            _cachedAt = now;
        }
        return _cached;
    }

    private static string Detect()
    {
        try
        {
            // Connecting a UDP socket sends nothing: it only makes the kernel choose the route and source address.
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 9));
            if (socket.LocalEndPoint is IPEndPoint { Address: var address } && !address.Equals(IPAddress.Any) && !IPAddress.IsLoopback(address))
            {
                return address.ToString();
            }
        }
        catch (SocketException)
        {
            // No default route: the interfaces say what there is.
        }
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback) continue;
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(unicast.Address))
                    {
                        return unicast.Address.ToString();
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
        }
        return "0.0.0.0";
    }
}
