using Akka.Configuration;
using NasHpo.Actors.Hosting;
using Npgsql;

namespace NasHpo.Actors.Tests.Hosting;

/// <summary>How a --db value chooses the journal; none of these need a server.</summary>
public sealed class JournalSettingsTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("nashpo-journal-settings-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData("nashpo.db")]
    [InlineData("runs/host=1.db")]
    [InlineData("/tmp/studies.sqlite")]
    public void A_path_is_a_sqlite_file_with_its_checkpoints_next_to_it(string path)
    {
        var journal = JournalSettings.Parse(path);

        Assert.Equal(JournalKind.Sqlite, journal.Kind);
        Assert.Equal(path, journal.SqliteFile);
        Assert.Equal(path, journal.Display);
        Assert.Equal(Path.GetFullPath(path) + ".checkpoints", journal.DefaultCheckpointDirectory);
        Assert.Equal("SQLite.MS", journal.ToConfig().GetString("akka.persistence.journal.sql.provider-name"));
    }

    [Fact]
    public void A_postgresql_url_becomes_an_npgsql_connection_string_and_is_shown_without_its_password()
    {
        var journal = JournalSettings.Parse("postgresql://alice%40corp:s%3Acret@db.example:6543/studies?sslmode=require&application_name=nashpo");

        Assert.Equal(JournalKind.PostgreSql, journal.Kind);
        Assert.Null(journal.SqliteFile);
        Assert.Null(journal.DefaultCheckpointDirectory);
        var builder = new NpgsqlConnectionStringBuilder(journal.ConnectionString);
        Assert.Equal("db.example", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("studies", builder.Database);
        Assert.Equal("alice@corp", builder.Username);
        Assert.Equal("s:cret", builder.Password);
        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal("nashpo", builder.ApplicationName);
        Assert.Equal("postgresql://alice%40corp@db.example:6543/studies", journal.Display);
        Assert.DoesNotContain("cret", journal.Display, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://127.0.0.1/nashpo", "127.0.0.1", 5432, "nashpo")]
    [InlineData("Host=10.0.0.5;Port=5433;Database=journal;Username=nashpo", "10.0.0.5", 5433, "journal")]
    [InlineData("server=pg;database=journal", "pg", 5432, "journal")]
    public void Urls_and_connection_strings_both_name_a_postgresql_server(string value, string host, int port, string database)
    {
        var journal = JournalSettings.Parse(value);

        Assert.Equal(JournalKind.PostgreSql, journal.Kind);
        var builder = new NpgsqlConnectionStringBuilder(journal.ConnectionString);
        Assert.Equal((host, port, database), (builder.Host, builder.Port, builder.Database));
        var config = journal.ToConfig();
        foreach (var path in new[] { "akka.persistence.journal.sql", "akka.persistence.snapshot-store.sql", "akka.persistence.query.journal.sql" })
        {
            Assert.Equal("PostgreSQL.15", config.GetString(path + ".provider-name"));
            Assert.Equal(journal.ConnectionString, config.GetString(path + ".connection-string"));
        }
    }

    [Theory]
    [InlineData("postgresql://127.0.0.1/nashpo?no_such_option=1", "not a valid PostgreSQL address")]
    [InlineData("Host=127.0.0.1;Port=notanumber", "not a valid PostgreSQL address")]
    [InlineData("postgresql:///nashpo", "not a valid PostgreSQL address")]
    public void An_unreadable_postgresql_address_is_refused_with_one_line(string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => JournalSettings.Parse(value));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_unreachable_server_is_one_line_naming_it()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        var journal = JournalSettings.Parse("postgresql://nashpo:secret@127.0.0.1:1/studies");

        var error = Assert.Throws<DatabaseUnavailableException>(journal.Prepare);

        Assert.StartsWith("cannot reach the PostgreSQL server of postgresql://nashpo@127.0.0.1:1/studies: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_checkpoint_directory_key_overrides_the_place_next_to_a_sqlite_file()
    {
        var database = Path.Combine(_directory.FullName, "journal.db");
        await using (var plain = EngineHost.Create(database))
        {
            Assert.Equal(database + ".checkpoints", plain.CheckpointDirectory);
        }

        var elsewhere = Path.Combine(_directory.FullName, "shared-checkpoints");
        var overrides = ConfigurationFactory.ParseString($"nashpo.checkpoints.directory = \"{elsewhere}\"");
        await using var configured = EngineHost.Create(database, overrides);
        Assert.Equal(elsewhere, configured.CheckpointDirectory);
    }
}
