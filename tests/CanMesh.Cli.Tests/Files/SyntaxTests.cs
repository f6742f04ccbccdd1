using CanMesh.Cli.Formats.Asc;
using CanMesh.Cli.Offline;

namespace CanMesh.Cli.Tests.Files;

/// <summary>The small parsers behind the options and the ASC date line, without a process per case.</summary>
public sealed class SyntaxTests
{
    [Theory]
    [InlineData("1000", 1000L, null)]
    [InlineData("1700000000.5", null, 1_700_000_000_500_000_000L)]
    [InlineData("1700000000.0", null, 1_700_000_000_000_000_000L)]
    [InlineData("166.000001", null, 166_000_001_000L)]
    [InlineData("2023-11-14T22:13:20Z", null, 1_700_000_000_000_000_000L)]
    [InlineData("2023-11-14T23:13:20.25+01:00", null, 1_700_000_000_250_000_000L)]
    public void A_bound_is_a_seq_or_a_time_by_its_form(string text, long? seq, long? ns)
    {
        Assert.True(RangeBound.TryParse("--from", text, out var bound, out var error), error);
        Assert.Equal(seq, bound.Seq);
        Assert.Equal(ns, bound.TimeNs);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("12x")]
    [InlineData("2023-11-14T22:13:20")]
    [InlineData("2023-11-14")]
    [InlineData("1.2.3")]
    [InlineData("@1700000000")]
    public void Anything_else_is_refused(string text) => Assert.False(RangeBound.TryParse("--from", text, out _, out _));

    [Fact]
    public void Id_lists_take_hex_ids_and_inclusive_ranges()
    {
        Assert.True(IdFilter.TryParse("100-1FF, 7df,0x18DAF110", out var filter, out var error), error);
        Assert.True(filter.Matches(0x100) && filter.Matches(0x1FF) && filter.Matches(0x7DF) && filter.Matches(0x18DAF110));
        Assert.False(filter.Matches(0xFF) || filter.Matches(0x200) || filter.Matches(0x18DAF111));
        Assert.False(IdFilter.TryParse("20000000", out _, out _)); // beyond 29 bits
    }

    [Theory]
    [InlineData("Sam Sep 30 15:06:13.191 2017", 1_506_783_973_191L)] // CANalyzer, German
    [InlineData("Sat Sep 30 03:06:13.191 pm 2017", 1_506_783_973_191L)] // CANalyzer, English
    [InlineData("Mon Dez 24 12:00:00 am 2018", 1_545_609_600_000L)]
    [InlineData("Thu Jan  1 00:02:46 1970", 166_000L)]                  // log2asc
    public void Asc_dates_read_in_english_and_german(string text, long unixMs)
    {
        Assert.True(AscDate.TryParse(text, out var ns));
        Assert.Equal(unixMs * 1_000_000, ns);
    }

    [Fact]
    public void Asc_dates_are_written_in_the_english_form_asc2log_reads()
    {
        Assert.Equal("Sat Sep 30 03:06:13.191 pm 2017", AscDate.Format(1_506_783_973_191L));
        Assert.Equal("Thu Jan 01 12:02:46.000 am 1970", AscDate.Format(166_000L));
        Assert.True(AscDate.TryParse(AscDate.Format(1_796_205_600_123L), out var ns));
        Assert.Equal(1_796_205_600_123L * 1_000_000, ns);
    }
}
