namespace NasHpo.Cli.Tests;

/// <summary>Devices a study asks for must exist before anything is written.</summary>
public sealed class DeviceTests : IDisposable
{
    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void A_study_asking_for_CUDA_on_a_CPU_build_fails_to_start_with_one_line_and_writes_nothing()
    {
        var study = _harness.Write("cuda.conf", """
            study {
              devices = ["cuda:0"]
              problem { type = zdt1, dimensions = 3 }
              optimizer { type = random, max-budget = 1 }
              stop { max-evaluations = 3 }
            }
            """);
        var database = Path.Combine(_harness.Directory, "cuda.db");

        var result = CliHarness.Run("run", study, "--db", database, "--study-id", "gpu");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("nashpo: study.devices: cuda:0", line, StringComparison.Ordinal);
        Assert.Contains("TorchBackend=cuda", line, StringComparison.Ordinal);
        Assert.Equal(2, CliHarness.Run("status", "gpu", "--db", database).ExitCode);
    }

    [Fact]
    public void A_device_list_that_is_not_cpu_or_cuda_is_a_configuration_error()
    {
        var study = _harness.Write("tpu.conf", """
            study {
              devices = [cpu, tpu]
              problem { type = zdt1, dimensions = 3 }
              optimizer { type = random, max-budget = 1 }
              stop { max-evaluations = 3 }
            }
            """);

        var result = CliHarness.Run("run", study, "--db", Path.Combine(_harness.Directory, "x.db"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("study.devices[1]", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }
}
