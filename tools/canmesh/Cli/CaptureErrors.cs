using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;

namespace CanMesh.Cli;

/// <summary>
/// Turns what can go wrong between the tool and the capture service into one line a person can act on, and
/// the exit code for it: a verb catches at its edge and never shows a stack trace.
/// </summary>
internal static class CaptureErrors
{
    public static string Hint => $"is canmesh-capture running? (--socket or {SocketOption.EnvironmentVariable})";

    /// <summary>Null when the socket file is there; otherwise why the service cannot be reached, without trying.</summary>
    public static string? CheckSocket(string socketPath)
    {
        if (File.Exists(socketPath)) return null;
        return Directory.Exists(socketPath)
            ? $"cannot reach the capture service at {socketPath}: that is a folder, not a socket; {Hint}"
            : $"cannot reach the capture service at {socketPath}: no socket there; {Hint}";
    }

    /// <summary>One line for a failed call to the service at <paramref name="socketPath"/>.</summary>
    public static string Describe(Exception error, string socketPath) => error switch
    {
        RpcException { StatusCode: StatusCode.Unavailable } e => $"cannot reach the capture service at {socketPath}: {Unreachable(e)}; {Hint}",
        RpcException { StatusCode: StatusCode.DeadlineExceeded } => $"the capture service at {socketPath} did not answer in time",
        RpcException e => $"the capture service at {socketPath} refused: {Detail(e)}",
        HttpRequestException or SocketException or IOException => $"cannot reach the capture service at {socketPath}: {Innermost(error).Message}; {Hint}",
        _ => $"failed: {error.Message}",
    };

    /// <summary>Whether <see cref="Describe"/> knows <paramref name="error"/> as a failure to talk to the service.</summary>
    public static bool IsCommunication(Exception error) => error is RpcException or HttpRequestException or SocketException or IOException;

    /// <summary>The server's own words (its status detail), or the status code when it gave none.</summary>
    public static string Detail(RpcException error) =>
        string.IsNullOrWhiteSpace(error.Status.Detail) ? error.StatusCode.ToString() : error.Status.Detail;

    private static string Unreachable(RpcException error) => Innermost(error.Status.DebugException ?? error) switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused (a socket file with no service behind it)",
        SocketException { SocketErrorCode: SocketError.AddressNotAvailable or SocketError.HostNotFound } => "no socket there",
        SocketException { SocketErrorCode: SocketError.AccessDenied } => "permission denied on the socket",
        SocketException s => s.Message,
        _ => Detail(error),
    };

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is { } inner) error = inner;
        return error;
    }
}
