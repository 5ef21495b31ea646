using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using NasHpo.Actors.Hosting;
using NasHpo.Actors.Serialization;
using NasHpo.Actors.Studies;
using NasHpo.Configuration;

namespace NasHpo.Actors.Tests.Serialization;

/// <summary>
/// Runs a tiny study through the real engine on a SQLite file and reads the rows back with plain SQL: every
/// persisted event and snapshot must carry NasHpo's serializer id and a known manifest, and no byte of the database
/// may come from Akka's default JSON serializer with embedded type names.
/// </summary>
public sealed class JournalContentTests : IClassFixture<EngineSerializationFixture>, IDisposable
{
    private const string StudyId = "journal-check";

    // 20 evaluations with eta = 3 and budgets 1..9 run a whole bracket and promotions, in about a second.
    private const string Study = """
        study {
          seed = 1
          devices = 1
          problem { type = zdt1, dimensions = 10, delay = 0ms }
          optimizer { type = mo-bohb, eta = 3, min-budget = 1, max-budget = 9 }
          stop { max-evaluations = 20 }
        }
        """;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    // What Newtonsoft's type-name handling writes into a payload: "$type" keys and assembly-qualified names.
    private static readonly string[] ForbiddenText = ["$type", "Newtonsoft", "System.Private.CoreLib", "NasHpo.Actors.", ", NasHpo."];

    private readonly EngineSerializationFixture _engine;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nashpo-journal-" + Guid.NewGuid().ToString("N"));
    private readonly string _database;

    public JournalContentTests(EngineSerializationFixture engine)
    {
        _engine = engine;
        Directory.CreateDirectory(_directory);
        _database = Path.Combine(_directory, "journal.db");
    }

    [Fact]
    public async Task A_finished_study_leaves_only_nashpo_protobuf_rows_in_the_database()
    {
        await RunStudyAsync();

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        connection.Open();
        var tables = Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table'");
        Assert.Contains("journal", tables);
        Assert.Contains("snapshot", tables);
        Assert.Superset(new HashSet<string> { "persistence_id", "sequence_number", "message", "manifest", "identifier" }, Columns(connection, "journal"));
        Assert.Superset(new HashSet<string> { "persistence_id", "sequence_number", "snapshot", "manifest", "serializer_id" }, Columns(connection, "snapshot"));

        var events = Rows(connection, "SELECT persistence_id, sequence_number, identifier, manifest, message FROM journal ORDER BY persistence_id, sequence_number");
        var snapshots = Rows(connection, "SELECT persistence_id, sequence_number, serializer_id, manifest, snapshot FROM snapshot");

        Assert.Equal(
            ["pareto-" + StudyId, "sampler-" + StudyId, "study-" + StudyId],
            events.Select(r => r.PersistenceId).Distinct().Order(StringComparer.Ordinal));
        Assert.NotEmpty(snapshots);
        foreach (var row in events.Concat(snapshots))
        {
            Assert.True(row.SerializerId == NasHpoSerializer.Id, $"{row}: serializer id {row.SerializerId}, not NasHpo's {NasHpoSerializer.Id}");
            Assert.True(NasHpoSerializer.KnownManifests.Contains(row.Manifest), $"{row}: unknown manifest \"{row.Manifest}\"");
            AssertNoTypeNames(row.ToString(), row.Payload);

            // Readable back by id and manifest alone, as recovery reads it.
            Assert.NotNull(_engine.Serialization.Deserialize(row.Payload, row.SerializerId!.Value, row.Manifest));
        }

        Assert.All(snapshots, row => Assert.Contains(row.Manifest, new[] { "sampler-snapshot.v1", "archive-snapshot.v1" }));
        var study = events.Where(r => r.PersistenceId == "study-" + StudyId).Select(r => r.Manifest).ToArray();
        Assert.Equal("study-created.v1", study[0]);
        Assert.Equal("study-finished.v1", study[^1]);
        Assert.Superset(
            new HashSet<string> { "study-created.v1", "trial-scheduled.v1", "trial-started.v1", "trial-completed.v1", "study-finished.v1", "trial-proposed.v1", "result-observed.v1", "evaluation-archived.v1" },
            events.Select(r => r.Manifest).ToHashSet());
    }

    [Fact]
    public async Task No_cell_of_any_table_holds_a_newtonsoft_type_name()
    {
        // Broader than the journal and snapshot payloads: tags, metadata or any table a plugin upgrade adds.
        await RunStudyAsync();

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        connection.Open();
        var cells = 0;
        foreach (var table in Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        {
            foreach (var column in Columns(connection, table))
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT CAST(\"{column}\" AS BLOB) FROM \"{table}\" WHERE \"{column}\" IS NOT NULL";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    AssertNoTypeNames($"{table}.{column}", (byte[])reader.GetValue(0));
                    cells++;
                }
            }
        }

        Assert.True(cells > 100, $"only {cells} cells read: did the study persist anything?");
    }

    public void Dispose()
    {
        // The engine's pooled connections keep the file open after the actor system stops; release them first.
        SqliteConnection.ClearPool(new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database, Pooling = true }.ConnectionString));
        Directory.Delete(_directory, recursive: true);
    }

    private async Task RunStudyAsync()
    {
        // Snapshots every 4 events, so the snapshot table holds rows from both the sampler and the archive.
        var overrides = ConfigurationFactory.ParseString("nashpo.engine.snapshot-every = 4");
        await using var host = EngineHost.Create(_database, overrides, "journal-check");
        var studies = host.StartEngine(1);
        await studies.Ask<StudyStarting>(new StartStudy(StudyId, StudyDefinitionReader.FromHocon(Study)), AskTimeout);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var status = await studies.Ask<StudyStatus>(new GetStudyStatus(StudyId), AskTimeout);
        while (status.State != StudyState.Finished)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the study did not finish in time: {status}");
            await Task.Delay(50);
            status = await studies.Ask<StudyStatus>(new GetStudyStatus(StudyId), AskTimeout);
        }

        Assert.Equal(20, status.Evaluations);
    }

    private static void AssertNoTypeNames(string where, byte[] bytes)
    {
        foreach (var text in ForbiddenText)
        {
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) < 0, $"{where} contains \"{text}\"");
        }
    }

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static HashSet<string> Columns(SqliteConnection connection, string table) =>
        [.. Strings(connection, $"SELECT name FROM pragma_table_info('{table}')")];

    private static List<PersistedRow> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<PersistedRow>();
        while (reader.Read())
        {
            rows.Add(new PersistedRow(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? string.Empty : reader.GetString(3),
                (byte[])reader.GetValue(4)));
        }

        return rows;
    }

    private sealed record PersistedRow(string PersistenceId, long SequenceNumber, int? SerializerId, string Manifest, byte[] Payload)
    {
        public override string ToString() => $"{PersistenceId}#{SequenceNumber}";
    }
}
