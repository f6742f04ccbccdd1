namespace CanMesh.Forwarder.Tests.Infrastructure;

/// <summary>Waiting on a condition with a generous deadline (the machine may be busy), never on a fixed sleep.</summary>
public static class Waiting
{
    public static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    /// <summary>Polls <paramref name="condition"/> until it holds; on timeout fails with <paramref name="describe"/>'s text.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Generous);
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {(timeout ?? Generous).TotalSeconds:0} s: {describe()}");
            await Task.Delay(100);
        }
    }
}
