// Linked only into the test projects that reference Npgsql (through NasHpo.Actors): see their .csproj.
using System.Globalization;
using Npgsql;

namespace NasHpo.Tests.Shared;

/// <summary>
/// A database of the test's own on the server that NASHPO_TEST_POSTGRES names: created with a unique name, dropped
/// (with any connection still open to it) on dispose, so tests never see each other's journals.
/// </summary>
internal sealed class ScratchPostgreSqlDatabase : IDisposable
{
    private readonly string _admin;

    private ScratchPostgreSqlDatabase(string admin, string name)
    {
        _admin = admin;
        Name = name;
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        ConnectionString = builder.ConnectionString;
        var password = string.IsNullOrEmpty(builder.Password) ? string.Empty : ":" + Uri.EscapeDataString(builder.Password);
        Url = string.Create(CultureInfo.InvariantCulture, $"postgresql://{Uri.EscapeDataString(builder.Username ?? "postgres")}{password}@{builder.Host}:{builder.Port}/{name}");
    }

    public string Name { get; }

    /// <summary>An Npgsql connection string to the new database.</summary>
    public string ConnectionString { get; }

    /// <summary>The same database as postgresql://user@host:port/name, the form users pass to --db.</summary>
    public string Url { get; }

    public static ScratchPostgreSqlDatabase Create()
    {
        var admin = Environment.GetEnvironmentVariable(PostgreSqlFactAttribute.Variable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            throw new InvalidOperationException($"{PostgreSqlFactAttribute.Variable} is not set (CI=true requires a PostgreSQL server)");
        }

        var name = "nashpo_test_" + Guid.NewGuid().ToString("N");
        Execute(admin, $"CREATE DATABASE {name}");
        return new ScratchPostgreSqlDatabase(admin, name);
    }

    /// <summary>A single value from the new database, e.g. a count from the journal table.</summary>
    public object? Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public void Dispose() => Execute(_admin, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
