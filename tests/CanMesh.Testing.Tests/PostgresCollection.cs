using CanMesh.Testing.Postgres;

namespace CanMesh.Testing.Tests;

/// <summary>One PostgreSQL container for every test class marked [Collection(PostgresFixture.Collection)].</summary>
[CollectionDefinition(PostgresFixture.Collection)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
