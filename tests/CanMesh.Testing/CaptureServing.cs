using CanMesh.Client;
using Grpc.Core;

namespace CanMesh.Testing;

/// <summary>Starting the capture executable and waiting until its API answers.</summary>
public static class CaptureServing
{
    /// <summary>Starts a capture and waits until its API answers GetStats (the pipeline runs).</summary>
    public static async Task<CaptureProcess> StartAndWaitAsync(IReadOnlyDictionary<string, string> environment, string socketPath)
    {
        var process = CaptureProcess.Start(environment);
        try
        {
            await process.WaitUntilServingAsync(socketPath, TimeSpan.FromSeconds(30));
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the socket file, then for GetStats to succeed (UNAVAILABLE while the pipeline starts).</summary>
    public static async Task WaitUntilServingAsync(this CaptureProcess process, string socketPath, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var client = new CaptureClient(socketPath, new CaptureClientOptions { CallTimeout = TimeSpan.FromSeconds(20) });
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"canmesh-capture exited with {process.ExitCode}:\n{process.Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"canmesh-capture did not serve on {socketPath} within {timeout}:\n{process.Output}");
            if (File.Exists(socketPath))
            {
                try
                {
                    await client.GetStatsAsync();
                    return;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                }
            }
            await Task.Delay(50);
        }
    }
}
