// Linked into every test project (tests/Directory.Build.props), so the tests that train a network share one space.
namespace NasHpo.Tests.Shared;

/// <summary>
/// The smallest Table 2 network space the training tests use: one conv layer of 4–8 filters and one fc layer of
/// 8–16 units, so a trial on a few hundred 8×8 images takes well under a second.
/// </summary>
internal static class TinyConvNetSpace
{
    /// <summary>The <c>search-space</c> block, to be placed inside <c>study { }</c> (or at a study's top level in tests that add the prefix).</summary>
    public const string Hocon = """
        search-space {
          conv_layers { type = int, lower = 1, upper = 1 }
          filters_1 { type = int, lower = 4, upper = 8 }
          kernel_1 { type = categorical, choices = [3] }
          batch_norm_1 { type = bool }
          global_avg_pooling { type = bool }
          fc_layers { type = int, lower = 1, upper = 1 }
          units_1 { type = int, lower = 8, upper = 16 }
          learning_rate { type = float, lower = 1e-3, upper = 1e-2, log = true }
          batch_size { type = int, lower = 32, upper = 64 }
        }
        """;
}
