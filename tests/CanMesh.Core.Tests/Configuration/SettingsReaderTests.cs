using CanMesh.Configuration;
using Microsoft.Extensions.Configuration;

namespace CanMesh.Core.Tests.Configuration;

public class SettingsReaderTests
{
    private static SettingsReader Reader(params (string Key, string Value)[] values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build());

    [Fact]
    public void Every_bad_duration_and_size_is_collected_with_key_variable_value_and_what_is_allowed()
    {
        var reader = Reader(
            ("A:Nan", "NaN"), ("A:Inf", "Infinity"), ("A:Negative", "-5s"), ("A:Huge", "1e400s"), ("A:Hex", "0x10"), ("A:Blank", "   "),
            ("B:Nan", "nan"), ("B:Decimal", "8GB"), ("B:Huge", "1e400"), ("B:Blank", " "), ("B:Negative", "-1MiB"));
        var fallback = TimeSpan.FromSeconds(7);
        foreach (var key in new[] { "A:Nan", "A:Inf", "A:Negative", "A:Huge", "A:Hex", "A:Blank" })
        {
            Assert.Equal(fallback, reader.GetDuration(key, fallback, TimeSpan.Zero, TimeSpan.FromDays(1)));
        }
        foreach (var key in new[] { "B:Nan", "B:Decimal", "B:Huge", "B:Blank", "B:Negative" })
        {
            Assert.Equal(42, reader.GetSize(key, 42, 0, long.MaxValue));
        }

        const string durations = "a duration from 0ms to 1d, written like 250ms, 10s, 5m, 2h or 7d";
        const string sizes = "a size from 0B to 8589934592.0GiB, written like 65536, 512KiB, 64MiB or 2GiB";
        Assert.Equal(
        [
            $"A:Nan (env CANMESH_A__NAN) = 'NaN': {durations} (not a number)",
            $"A:Inf (env CANMESH_A__INF) = 'Infinity': {durations} (longer than 100 years)",
            $"A:Negative (env CANMESH_A__NEGATIVE) = '-5s': {durations} (negative)",
            $"A:Huge (env CANMESH_A__HUGE) = '1e400s': {durations} (longer than 100 years)",
            $"A:Hex (env CANMESH_A__HEX) = '0x10': {durations} (not a number)",
            $"A:Blank (env CANMESH_A__BLANK) = '   ': {durations} (empty)",
            $"B:Nan (env CANMESH_B__NAN) = 'nan': {sizes} (not a number)",
            $"B:Decimal (env CANMESH_B__DECIMAL) = '8GB': {sizes} (GB is a decimal unit: use GiB/MiB/KiB (binary units))",
            $"B:Huge (env CANMESH_B__HUGE) = '1e400': {sizes} (more than 9223372036854775807 bytes)",
            $"B:Blank (env CANMESH_B__BLANK) = ' ': {sizes} (empty)",
            $"B:Negative (env CANMESH_B__NEGATIVE) = '-1MiB': {sizes} (negative)",
        ], reader.Problems);

        var error = Assert.Throws<ConfigurationException>(reader.ThrowIfInvalid);
        Assert.Equal(11, error.Problems.Count);
    }

    [Fact]
    public void A_value_in_range_but_outside_the_keys_limits_names_the_limits_only()
    {
        var reader = Reader(("A", "2d"), ("B", "2GiB"));
        reader.GetDuration("A", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromDays(1));
        reader.GetSize("B", 0, 0, 1L << 30);
        Assert.Equal(
        [
            "A (env CANMESH_A) = '2d': a duration from 0ms to 1d, written like 250ms, 10s, 5m, 2h or 7d",
            "B (env CANMESH_B) = '2GiB': a size from 0B to 1GiB, written like 65536, 512KiB, 64MiB or 2GiB",
        ], reader.Problems);
    }

    [Fact]
    public void An_empty_value_is_an_unset_key()
    {
        var reader = Reader(("A", ""), ("B", ""));
        Assert.Equal(TimeSpan.FromSeconds(3), reader.GetDuration("A", TimeSpan.FromSeconds(3), TimeSpan.Zero, TimeSpan.FromDays(1)));
        Assert.Equal(5, reader.GetSize("B", 5, 0, 10));
        Assert.Empty(reader.Problems);
    }

    [Fact]
    public void Control_characters_in_a_value_are_escaped_in_the_problem()
    {
        var reader = Reader(("A", "\u001b[2J\a5s\0"));
        reader.GetDuration("A", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromDays(1));
        var problem = Assert.Single(reader.Problems);
        Assert.StartsWith(@"A (env CANMESH_A) = '\e[2J\a5s\0': a duration", problem);
        Assert.DoesNotContain(problem, c => char.IsControl(c));
    }
}
