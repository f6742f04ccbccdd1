namespace CanMesh.Rpc.Tests.Infrastructure;

/// <summary>The node client of tests/interop this project runs against its test server (see <see cref="InteropClients"/>).</summary>
internal static class InteropTools
{
    public static Task<ProcessResult> RunGrpcJsAsync(string scenario, string socketPath, string tag = "") =>
        InteropClients.RunNodeAsync(Path.Combine(InteropClients.InteropDirectory, "grpc-js-client.js"), scenario, socketPath, tag);

    public static Task<ProcessResult> RunBufCurlAsync(string socketPath, params string[] arguments) =>
        InteropClients.RunBufCurlAsync(socketPath, arguments);
}
