// Linked into every test project (tests/Directory.Build.props), so the rule lives in one place.
using Xunit;

namespace NasHpo.Tests.Shared;

/// <summary>
/// A fact that needs Debian's dataset-fashion-mnist. Where it is missing the test is reported as skipped, never as
/// passed; under CI (CI=true), which installs the package, it is not skipped, so a missing dataset fails loudly.
/// </summary>
internal sealed class RealFashionMnistFactAttribute : FactAttribute
{
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    public RealFashionMnistFactAttribute()
    {
        var installed = File.Exists(Path.Combine(DebianDirectory, "train-images-idx3-ubyte.gz"));
        if (!installed && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"Fashion-MNIST is not installed in {DebianDirectory} (apt-get install dataset-fashion-mnist)";
        }
    }
}
