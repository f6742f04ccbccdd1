using System.Globalization;
using CanMesh.Forwarder.Tests.Infrastructure;
using CanMesh.Testing.Postgres;

namespace CanMesh.Forwarder.Tests;

/// <summary>Two capture services (two vehicles), each with its own forwarder, into one PostgreSQL database.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class FleetTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Two_captures_forwarded_into_one_database_each_arrive_complete_under_their_own_capture_id()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var first = new TempFolder();
        using var second = new TempFolder();
        // Counted sims: each recording ends by itself, at a known last seq. Other seeds, rates and lengths, so
        // rows that landed under the wrong capture would not compare equal by chance.
        const int firstCount = 15_000, secondCount = 9_000;
        using var firstCapture = await CaptureServing.StartAndWaitAsync(Counted(first, 3000, firstCount, seed: 7), first.Socket);
        using var secondCapture = await CaptureServing.StartAndWaitAsync(Counted(second, 2000, secondCount, seed: 8), second.Socket);
        var firstId = FrameRows.CaptureId(first.Database);
        var secondId = FrameRows.CaptureId(second.Database);
        Assert.NotEqual(firstId, secondId);

        // Started together on an empty database: both create the schema and the day's partition at once.
        using var firstForwarder = ForwarderProcess.Start(new ForwarderEnvironment(first.Socket, connectionString).Variables);
        using var secondForwarder = ForwarderProcess.Start(new ForwarderEnvironment(second.Socket, connectionString).Variables);
        string Describe() =>
            $"first forwarder:\n{firstForwarder.Output}\nsecond forwarder:\n{secondForwarder.Output}\nfirst capture:\n{firstCapture.Output}\nsecond capture:\n{secondCapture.Output}";

        await Task.WhenAll(
            LiveStream.AssertForwardedAsync(connectionString, first, Describe, expectedLast: firstCount),
            LiveStream.AssertForwardedAsync(connectionString, second, Describe, expectedLast: secondCount));

        Assert.Equal(2, await PostgresQueries.ScalarOrAsync(connectionString, "SELECT count(*) FROM canmesh.captures"));
        Assert.Equal(firstCount + secondCount, await PostgresQueries.ScalarOrAsync(connectionString, "SELECT count(*) FROM canmesh.frames"));
        Assert.Equal(2, await PostgresQueries.ScalarOrAsync(connectionString, "SELECT count(*) FROM canmesh.interfaces"));
        Assert.False(firstForwarder.HasExited || secondForwarder.HasExited, Describe());
    }

    private static IReadOnlyDictionary<string, string> Counted(TempFolder folder, int framesPerSecond, int count, int seed) =>
        LiveStream.Recording(folder, framesPerSecond, seed)
            .Set("CANMESH_CAPTURE__INTERFACES__0__COUNT", count.ToString(CultureInfo.InvariantCulture)).Variables;
}
