using Akka.Configuration;
using NasHpo.Core.Optimizers.Registry;
using static NasHpo.Configuration.ConfigReading;

namespace NasHpo.Configuration;

/// <summary>
/// A method's keys under <c>study.optimizer</c>, read with the study's parsing rules (<see cref="ConfigReading"/>);
/// every error is a <see cref="ConfigurationException"/> naming the key's full path.
/// </summary>
internal sealed class HoconSettingsReader(Config section, string path) : IOptimizerSettingsReader
{
    public bool Has(string key) => section.HasPath(key);

    public double ReadDouble(string key, double fallback, double minimum = double.MinValue, double maximum = double.MaxValue) =>
        ConfigReading.ReadDouble(section, key, PathOf(key), fallback, minimum, maximum);

    public long ReadInteger(string key, long fallback, long minimum = long.MinValue, long maximum = long.MaxValue) =>
        ReadLong(section, key, PathOf(key), fallback, minimum, maximum);

    public bool ReadBoolean(string key, bool fallback) =>
        section.HasPath(key) ? ConfigReading.ReadBoolean(section, key, PathOf(key)) : fallback;

    public IReadOnlyList<double> ReadNumbers(string key) => ConfigReading.ReadNumbers(section, key, PathOf(key));

    public IReadOnlyList<string> ReadNames(string key)
    {
        if (!section.HasPath(key) || !HoconReading.IsList(section.GetValue(key)))
        {
            throw new ConfigurationException(PathOf(key), $"expected a list of parameter names, got {(section.HasPath(key) ? HoconReading.Show(section.GetValue(key)) : "nothing")}");
        }

        return section.GetStringList(key).ToArray();
    }

    public Exception Invalid(string key, string problem) => new ConfigurationException(PathOf(key), problem);

    private string PathOf(string key) => $"{path}.{key}";
}
