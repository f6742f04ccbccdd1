using CanMesh.Configuration;

namespace CanMesh.Core.Tests.Configuration;

public class DurationAndSizeTextTests
{
    [Theory]
    [InlineData("250ms", 0.25)]
    [InlineData("10s", 10)]
    [InlineData(" 5 m ", 300)]
    [InlineData("2h", 7200)]
    [InlineData("7D", 604800)]
    [InlineData("1.5", 1.5)]
    [InlineData("0", 0)]
    [InlineData("36500d", 36500 * 86400.0)]
    public void Durations_read_in_every_unit(string text, double seconds)
    {
        Assert.True(DurationText.TryParse(text, out var value, out var problem), problem);
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("NaN", "not a number")]
    [InlineData("nan", "not a number")]
    [InlineData("NaNs", "not a number")]
    [InlineData("Infinity", "longer than 100 years")]
    [InlineData("-Infinity", "negative")]
    [InlineData("-5s", "negative")]
    [InlineData("1e400s", "longer than 100 years")]
    [InlineData("36501d", "longer than 100 years")]
    [InlineData("10675199d", "longer than 100 years")] // about TimeSpan.MaxValue
    [InlineData("0x10", "not a number")]
    [InlineData("soon", "not a number")]
    [InlineData("ms", "not a number")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData(null, "empty")]
    public void Bad_durations_are_refused_with_a_reason_and_never_throw(string? text, string reason)
    {
        Assert.False(DurationText.TryParse(text, out var value, out var problem));
        Assert.Equal(reason, problem);
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Theory]
    [InlineData("65536", 65536L)]
    [InlineData("512KiB", 512L << 10)]
    [InlineData("64 mib", 64L << 20)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1TiB", 1L << 40)]
    [InlineData("100B", 100L)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData("0.5", 0L)] // a fraction of a byte is rounded down
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("8388607TiB", 8388607L << 40)]
    public void Sizes_read_in_binary_units_exactly(string text, long bytes)
    {
        Assert.True(SizeText.TryParse(text, out var value, out var problem), problem);
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("NaN", "not a number")]
    [InlineData("nan", "not a number")]
    [InlineData("NaNMiB", "not a number")]
    [InlineData("Infinity", "more than 9223372036854775807 bytes")]
    [InlineData("-5", "negative")]
    [InlineData("-1KiB", "negative")]
    [InlineData("-Infinity", "negative")]
    [InlineData("1e400", "more than 9223372036854775807 bytes")]
    [InlineData("9223372036854775808", "more than 9223372036854775807 bytes")]
    [InlineData("8388608TiB", "more than 9223372036854775807 bytes")]
    [InlineData("99999999999999999999999999999TiB", "more than 9223372036854775807 bytes")]
    [InlineData("8GB", "GB is a decimal unit: use GiB/MiB/KiB (binary units)")]
    [InlineData("500MB", "MB is a decimal unit: use GiB/MiB/KiB (binary units)")]
    [InlineData("10kB", "kB is a decimal unit: use GiB/MiB/KiB (binary units)")]
    [InlineData("1 tb", "tb is a decimal unit: use GiB/MiB/KiB (binary units)")]
    [InlineData("0x10", "not a number")]
    [InlineData("lots", "not a number")]
    [InlineData("", "empty")]
    [InlineData(" \t ", "empty")]
    [InlineData(null, "empty")]
    public void Bad_sizes_are_refused_with_a_reason(string? text, string reason)
    {
        Assert.False(SizeText.TryParse(text, out var value, out var problem));
        Assert.Equal(reason, problem);
        Assert.Equal(0, value);
    }
}
