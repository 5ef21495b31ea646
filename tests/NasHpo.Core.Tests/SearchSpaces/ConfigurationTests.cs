using NasHpo.Core.SearchSpaces;

namespace NasHpo.Core.Tests.SearchSpaces;

public sealed class ConfigurationTests
{
    private static Configuration Make(params (string Name, ParameterValue Value)[] values) =>
        new(values.Select(v => new KeyValuePair<string, ParameterValue>(v.Name, v.Value)));

    [Fact]
    public void Canonical_string_is_sorted_by_ordinal_name_with_round_trip_numbers()
    {
        var configuration = Make(
            ("lr", ParameterValue.Of(0.1 + 0.2)),
            ("Batch", ParameterValue.Of(256)),
            ("kernel", ParameterValue.Of("5")),
            ("tiny", ParameterValue.Of(1e-5)),
            ("bn", ParameterValue.Of(true)));
        Assert.Equal("Batch=256;bn=1;kernel=5;lr=0.30000000000000004;tiny=1E-05", configuration.ToCanonicalString());
        Assert.Equal(["Batch", "bn", "kernel", "lr", "tiny"], configuration.Values.Keys);
    }

    [Fact]
    public void Canonical_string_escapes_separators_in_texts()
    {
        var configuration = Make(("a", ParameterValue.Of("x;y=z\\")), ("b", ParameterValue.Of("plain")));
        Assert.Equal("a=x\\;y\\=z\\\\;b=plain", configuration.ToCanonicalString());
    }

    [Fact]
    public void Fingerprint_is_frozen()
    {
        // Persisted identities depend on this value: change it only with a migration of stored fingerprints.
        var configuration = Make(("learning_rate", ParameterValue.Of(0.001)), ("conv_layers", ParameterValue.Of(2)), ("optimizer", ParameterValue.Of("adam")));
        Assert.Equal("conv_layers=2;learning_rate=0.001;optimizer=adam", configuration.ToCanonicalString());
        Assert.Equal(Randomness.StableHash.Of("conv_layers=2;learning_rate=0.001;optimizer=adam"), configuration.Fingerprint);
        Assert.Equal(FrozenFingerprint, configuration.Fingerprint);
    }

    private const ulong FrozenFingerprint = 7532022966174167348UL;

    [Fact]
    public void Equality_follows_canonical_values_not_insertion_order()
    {
        var first = Make(("a", ParameterValue.Of(1.5)), ("b", ParameterValue.Of("x")));
        var second = Make(("b", ParameterValue.Of("x")), ("a", ParameterValue.Of(1.5)));
        var third = Make(("a", ParameterValue.Of(1.5000000000000002)), ("b", ParameterValue.Of("x")));
        Assert.Equal(first, second);
        Assert.True(first.Equals((object)second));
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.Equal(first.Fingerprint, second.Fingerprint);
        Assert.NotEqual(first, third);
        Assert.NotEqual(first.Fingerprint, third.Fingerprint);
        Assert.False(first.Equals(null));
        Assert.Equal(2, new HashSet<Configuration> { first, second, third }.Count);
    }

    [Fact]
    public void Text_values_ignore_their_number()
    {
        Assert.Equal(Make(("a", new ParameterValue(3, "x"))), Make(("a", ParameterValue.Of("x"))));
        Assert.Equal(ParameterValue.Of("x"), Make(("a", new ParameterValue(3, "x"))).Values["a"]);
    }

    [Fact]
    public void Typed_getters_read_numbers_and_integer_choices()
    {
        var configuration = Make(
            ("kernel", ParameterValue.Of("5")),
            ("layers", ParameterValue.Of(3)),
            ("lr", ParameterValue.Of(0.25)),
            ("bn", ParameterValue.Of(true)),
            ("opt", ParameterValue.Of("adam")));
        Assert.Equal(5, configuration.GetInt32("kernel"));
        Assert.Equal(5L, configuration.GetInt64("kernel"));
        Assert.Equal(5.0, configuration.GetDouble("kernel"));
        Assert.Equal(3, configuration.GetInt32("layers"));
        Assert.Equal(0.25, configuration.GetDouble("lr"));
        Assert.True(configuration.GetBoolean("bn"));
        Assert.Equal("adam", configuration.GetString("opt"));
        Assert.Equal("3", configuration.GetString("layers"));
        Assert.True(configuration.Contains("lr"));
        Assert.False(configuration.Contains("momentum"));
    }

    [Fact]
    public void Typed_getters_fail_clearly()
    {
        var configuration = Make(("lr", ParameterValue.Of(0.25)), ("opt", ParameterValue.Of("adam")), ("big", ParameterValue.Of(1e12)));
        var missing = Assert.Throws<KeyNotFoundException>(() => configuration.GetDouble("momentum"));
        Assert.Contains("'momentum'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("0.25", Assert.Throws<InvalidCastException>(() => configuration.GetInt64("lr")).Message, StringComparison.Ordinal);
        Assert.Contains("\"adam\"", Assert.Throws<InvalidCastException>(() => configuration.GetInt32("opt")).Message, StringComparison.Ordinal);
        Assert.Contains("\"adam\"", Assert.Throws<InvalidCastException>(() => configuration.GetDouble("opt")).Message, StringComparison.Ordinal);
        Assert.Contains("0.25", Assert.Throws<InvalidCastException>(() => configuration.GetBoolean("lr")).Message, StringComparison.Ordinal);
        Assert.Contains("32 bits", Assert.Throws<InvalidCastException>(() => configuration.GetInt32("big")).Message, StringComparison.Ordinal);
        Assert.Equal(1_000_000_000_000L, configuration.GetInt64("big"));
    }

    [Fact]
    public void Constructor_rejects_duplicates_empty_names_and_non_finite_numbers()
    {
        Assert.Throws<ArgumentException>(() => Make(("a", ParameterValue.Of(1)), ("a", ParameterValue.Of(2))));
        Assert.Throws<ArgumentException>(() => Make(("", ParameterValue.Of(1))));
        Assert.Throws<ArgumentException>(() => Make(("a", ParameterValue.Of(double.NaN))));
    }
}
