namespace CanMesh.Interop.Tests.Infrastructure;

/// <summary>The node scripts this project runs against the capture service (see <see cref="InteropClients"/>).</summary>
internal static class InteropTools
{
    public static string ClientsDirectory { get; } = Path.Combine(RepositoryRoot.Path, "tests", "CanMesh.Interop.Tests", "Clients");
    public static string SubscriberScript { get; } = Path.Combine(RepositoryRoot.Path, "examples", "js-subscriber", "subscriber.js");

    /// <summary>One scenario of Clients/capture-grpc-js.js; it prints one JSON line.</summary>
    public static Task<ProcessResult> RunGrpcJsAsync(string scenario, string socketPath, string argument = "") =>
        InteropClients.RunNodeAsync(Path.Combine(ClientsDirectory, "capture-grpc-js.js"), scenario, socketPath, argument);

    /// <summary>The example subscriber (examples/js-subscriber/subscriber.js) against the socket.</summary>
    public static Task<ProcessResult> RunSubscriberAsync(string socketPath, params string[] arguments) =>
        InteropClients.RunNodeAsync(SubscriberScript, ["--socket", socketPath, .. arguments]);

    public static Task<ProcessResult> RunBufCurlAsync(string socketPath, params string[] arguments) =>
        InteropClients.RunBufCurlAsync(socketPath, arguments);
}
