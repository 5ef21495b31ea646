// Linked into every test project (tests/Directory.Build.props), so the rule lives in one place.
using Xunit;

namespace NasHpo.Tests.Shared;

/// <summary>
/// A fact that needs a PostgreSQL server, named by the NASHPO_TEST_POSTGRES environment variable (an Npgsql
/// connection string whose user may create databases; .ci/run starts a throw-away server and sets it). Where it is
/// missing the test is reported as skipped, never as passed; under CI (CI=true) it is not skipped, so a server that
/// did not start fails loudly.
/// </summary>
internal sealed class PostgreSqlFactAttribute : FactAttribute
{
    public const string Variable = "NASHPO_TEST_POSTGRES";

    public PostgreSqlFactAttribute()
    {
        var configured = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable));
        if (!configured && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"no PostgreSQL server: set {Variable} to an Npgsql connection string (.ci/postgres.sh starts one)";
        }
    }
}
