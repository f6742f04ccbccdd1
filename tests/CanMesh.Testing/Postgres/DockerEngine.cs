using System.Net;
using System.Net.Sockets;
using DotNet.Testcontainers.Configurations;

namespace CanMesh.Testing.Postgres;

/// <summary>
/// The Docker engine the container tests run on (scripts/docker-engine.sh starts it, scripts/images.sh
/// builds the images). Checked here, before Testcontainers is touched, so a test fails with what to do
/// instead of Testcontainers' "Docker is either not running or misconfigured"; and Testcontainers
/// caches an engine it found missing for the rest of the process, so it must not look first.
/// </summary>
public static class DockerEngine
{
    private const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>
    /// Fails with what to do unless an engine answers and holds <paramref name="image"/>. Only a Unix
    /// socket engine is checked (<paramref name="socketPath"/>, else DOCKER_HOST's, else the default);
    /// a DOCKER_HOST of another kind is left to Testcontainers.
    /// </summary>
    public static async Task EnsureImageAsync(string image, string? socketPath = null, CancellationToken cancellationToken = default)
    {
        string? socket = socketPath ?? SocketPath();
        if (socket is null) return;

        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = new Uri("http://docker"),
            Timeout = TimeSpan.FromSeconds(10),
        };

        try
        {
            using var ping = await http.GetAsync("/_ping", cancellationToken);
            ping.EnsureSuccessStatusCode();
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException)
        {
            // A missing socket file surfaces as "Cannot assign requested address": say what it means.
            string reason = File.Exists(socket) ? e.Message : "no such socket file";
            throw new InvalidOperationException(
                $"No Docker engine answers on {socket} ({reason}). Run scripts/docker-engine.sh (as root) and then " +
                $"scripts/images.sh from the repository root ({RepositoryRoot.Path}); scripts/test-all.sh does both.", e);
        }

        using var inspect = await http.GetAsync($"/images/{image}/json", cancellationToken);
        if (inspect.StatusCode == HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException(
                $"The image {image} is not on this Docker engine, and no registry is reachable to pull it. Run scripts/images.sh " +
                $"from the repository root ({RepositoryRoot.Path}); scripts/test-all.sh does it.");
        }

        inspect.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Testcontainers for this machine, unless the environment says otherwise: no Ryuk (its image
    /// cannot be pulled; scripts/test-all.sh removes what a crashed run left instead), and containers
    /// reached on 127.0.0.1 (this VM has a /.dockerenv, so Testcontainers would think it runs inside a
    /// container and connect to the bridge gateway). scripts/test-all.sh sets the same two variables.
    /// </summary>
    public static void ConfigureTestcontainers()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED")))
        {
            TestcontainersSettings.ResourceReaperEnabled = false;
        }

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE")))
        {
            TestcontainersSettings.DockerHostOverride = "127.0.0.1";
        }
    }

    private static string? SocketPath()
    {
        string? host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrEmpty(host)) return DefaultSocket;
        return host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : null;
    }
}
