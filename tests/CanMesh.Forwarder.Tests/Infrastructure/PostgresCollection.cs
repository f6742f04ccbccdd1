using CanMesh.Testing.Postgres;

namespace CanMesh.Forwarder.Tests.Infrastructure;

/// <summary>One PostgreSQL container for every test class marked [Collection(PostgresFixture.Collection)]; each test makes its own database.</summary>
[CollectionDefinition(PostgresFixture.Collection)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
