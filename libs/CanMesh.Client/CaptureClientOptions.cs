using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CanMesh.Client;

/// <summary>Settings of a <see cref="CaptureClient"/>.</summary>
public sealed record CaptureClientOptions
{
    /// <summary>Deadline of each unary call (GetStats, ListInterfaces, RemoveSubscriber). Streams have none.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where reconnects and stream failures are logged (category CanMesh.Client).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Last say over the HTTP/2 handler of the channel (window sizes, keep-alive pings); null for the defaults.</summary>
    public Action<System.Net.Http.SocketsHttpHandler>? ConfigureHandler { get; init; }
}
