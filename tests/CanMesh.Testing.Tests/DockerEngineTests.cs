using CanMesh.Testing.Postgres;

namespace CanMesh.Testing.Tests;

/// <summary>Without an engine or an image, a container test fails saying which script to run.</summary>
public sealed class DockerEngineTests
{
    [Fact]
    public async Task No_engine_says_to_run_docker_engine_sh()
    {
        using var folder = new TempFolder();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => DockerEngine.EnsureImageAsync(PostgresContainer.Image, folder.File("docker.sock")));
        Assert.Contains("scripts/docker-engine.sh", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_image_says_to_run_images_sh()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => DockerEngine.EnsureImageAsync("local/no-such-image:0"));
        Assert.Contains("scripts/images.sh", e.Message, StringComparison.Ordinal);
    }
}
