using Xunit;

namespace CanMesh.Testing.Postgres;

/// <summary>
/// One PostgreSQL container shared by every test of an xunit collection (a start costs 7-30 s), and a
/// fresh database for each test. xunit wants the collection defined in the test assembly itself:
/// <code>
/// [CollectionDefinition(PostgresFixture.Collection)]
/// public sealed class PostgresCollection : ICollectionFixture&lt;PostgresFixture&gt;;
///
/// [Collection(PostgresFixture.Collection)]
/// public sealed class ForwarderTests(PostgresFixture postgres)
/// {
///     [Fact]
///     public async Task Something()
///     {
///         string connectionString = await postgres.CreateDatabaseAsync();
///         ...
///     }
/// }
/// </code>
/// Tests of a collection run one after another, so one of them may stop, crash or pause the server
/// (<see cref="Container"/>); it should bring it back in a finally block, and
/// <see cref="CreateDatabaseAsync"/> brings it back anyway if it did not.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string Collection = "postgres";

    private PostgresContainer? _container;

    public PostgresContainer Container => _container ?? throw new InvalidOperationException("The PostgreSQL container has not started.");

    /// <summary>An empty database of its own; returns the superuser's connection string to it.</summary>
    public Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default) =>
        Container.CreateDatabaseAsync(cancellationToken: cancellationToken);

    public async Task InitializeAsync() => _container = await PostgresContainer.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
