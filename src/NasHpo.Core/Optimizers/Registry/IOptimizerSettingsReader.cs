namespace NasHpo.Core.Optimizers.Registry;

/// <summary>
/// The keys of <c>study.optimizer</c> as an <see cref="OptimizerMethod"/> reads them, without a dependency on the
/// configuration format: the study reader implements it over HOCON, so that every method's values are parsed alike
/// (one rule for numbers and integers) and every error is one line naming the key's full path.
/// </summary>
internal interface IOptimizerSettingsReader
{
    bool Has(string key);

    /// <summary>A finite number in [<paramref name="minimum"/>, <paramref name="maximum"/>], or <paramref name="fallback"/> when absent.</summary>
    double ReadDouble(string key, double fallback, double minimum = double.MinValue, double maximum = double.MaxValue);

    /// <summary>An integer in [<paramref name="minimum"/>, <paramref name="maximum"/>], or <paramref name="fallback"/> when absent.</summary>
    long ReadInteger(string key, long fallback, long minimum = long.MinValue, long maximum = long.MaxValue);

    /// <summary>true or false, or <paramref name="fallback"/> when absent.</summary>
    bool ReadBoolean(string key, bool fallback);

    /// <summary>A list of finite numbers (the key must be present).</summary>
    IReadOnlyList<double> ReadNumbers(string key);

    /// <summary>A list of names (the key must be present).</summary>
    IReadOnlyList<string> ReadNames(string key);

    /// <summary>The error to throw for a value that is read but not valid: one line naming the key's path.</summary>
    Exception Invalid(string key, string problem);
}
