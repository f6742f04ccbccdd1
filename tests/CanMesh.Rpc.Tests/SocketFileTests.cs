using System.Diagnostics;
using System.Net.Sockets;
using CanMesh.Rpc.Client;
using CanMesh.Rpc.Hosting;
using CanMesh.Rpc.Server;
using CanMesh.Rpc.Tests.Echo;
using CanMesh.Rpc.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace CanMesh.Rpc.Tests;

public sealed class SocketFileTests
{
    [Fact]
    public async Task Stale_socket_file_is_replaced()
    {
        using var directory = new TempDirectory();
        string path = directory.File("stale.sock");
        CreateStaleSocketFile(path);

        await using GrpcUnixSocketServer server = await StartAsync(new UnixSocketListenerOptions { SocketPath = path });

        Assert.Equal("hi", await EchoAsync(path, "hi"));
    }

    [Fact]
    public async Task Live_socket_is_not_stolen()
    {
        using var directory = new TempDirectory();
        string path = directory.File("live.sock");
        await using GrpcUnixSocketServer first = await StartAsync(new UnixSocketListenerOptions { SocketPath = path });

        var e = await Assert.ThrowsAsync<IOException>(() => StartAsync(new UnixSocketListenerOptions { SocketPath = path }));

        Assert.Contains("another server is listening", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal("still mine", await EchoAsync(path, "still mine"));
    }

    [Fact]
    public async Task A_regular_file_in_the_way_is_not_deleted()
    {
        using var directory = new TempDirectory();
        string path = directory.File("data.sock");
        await File.WriteAllTextAsync(path, "precious");

        var e = await Assert.ThrowsAsync<IOException>(() => StartAsync(new UnixSocketListenerOptions { SocketPath = path }));

        Assert.Contains("regular file", e.Message);
        Assert.Equal("precious", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Missing_directory_is_created_and_the_socket_removed_on_stop()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "run", "canmesh", "a.sock");

        GrpcUnixSocketServer server = await StartAsync(new UnixSocketListenerOptions { SocketPath = path });
        Assert.Equal("x", await EchoAsync(path, "x"));
        await server.DisposeAsync();

        Assert.False(File.Exists(path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Socket_mode_and_group_are_applied()
    {
        using var directory = new TempDirectory();
        string path = directory.File("perm.sock");

        // As root any group works, so use one the process is not in; otherwise the process's own group.
        string group = Environment.UserName == "root" ? "daemon" : (await RunAsync("id", "-gn")).Trim();
        await using GrpcUnixSocketServer server = await StartAsync(new UnixSocketListenerOptions { SocketPath = path, SocketMode = "0660", SocketGroup = group });

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(path));
        Assert.Equal(group, (await RunAsync("stat", "-c", "%G", path)).Trim());
    }

    [Fact]
    public async Task Unknown_group_fails_the_start_with_a_clear_message()
    {
        using var directory = new TempDirectory();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(
            new UnixSocketListenerOptions { SocketPath = directory.File("g.sock"), SocketGroup = "no-such-group-canmesh" }));

        Assert.Contains("no-such-group-canmesh", e.Message);
    }

    [Theory]
    [InlineData("rw-rw----")]
    [InlineData("0999")]
    [InlineData("4660")]
    public void Invalid_mode_is_rejected_with_the_key_and_value(string mode)
    {
        var options = new UnixSocketListenerOptions { SocketPath = "/tmp/x.sock", SocketMode = mode };

        var e = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains("SocketMode", e.Message);
        Assert.Contains(mode, e.Message);
    }

    [Fact]
    public async Task Loopback_tcp_port_serves_the_same_methods()
    {
        using var directory = new TempDirectory();
        await using GrpcUnixSocketServer server = await StartAsync(new UnixSocketListenerOptions { SocketPath = directory.File("t.sock"), LoopbackTcpPort = 0 });
        Assert.NotNull(server.TcpPort);

        using GrpcChannel channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{server.TcpPort}"));
        EchoReply reply = await channel.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Text = "tcp" });

        Assert.Equal("tcp", reply.Text);
    }

    /// <summary>What kill -9 leaves: a socket file nobody listens on (.NET unlinks on Dispose, so move it away first).</summary>
    private static void CreateStaleSocketFile(string path)
    {
        string temporary = path + ".tmp";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(temporary));
            socket.Listen();
            File.Move(temporary, path);
        }

        Assert.True(File.Exists(path));
    }

    private static Task<GrpcUnixSocketServer> StartAsync(UnixSocketListenerOptions options)
    {
        var registry = new GrpcServiceRegistry();
        new EchoService().Register(registry);
        return GrpcUnixSocketServer.StartAsync(options, registry, builder => builder.Logging.ClearProviders());
    }

    private static async Task<string> EchoAsync(string socketPath, string text)
    {
        using GrpcChannel channel = GrpcChannel.ForUnixSocket(socketPath);
        return (await channel.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Text = text })).Text;
    }

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
