namespace CanMesh.Capture.Tests.Api;

/// <summary>
/// Tests that time a capture process's reaction (health transitions, a stop with open streams) run alone:
/// on two shared cores a parallel neighbour's load would be measured with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ApiProcessCollection
{
    public const string Name = "capture API processes";
}
