namespace CanMesh.Cli.Tests.Live;

/// <summary>--id as people type it after candump filters.</summary>
public sealed class IdRangesTests
{
    [Theory]
    [InlineData("123", new uint[] { 0x123, 0x123 })]
    [InlineData("100-1FF", new uint[] { 0x100, 0x1FF })]
    [InlineData("7df, 7E0-7ef", new uint[] { 0x7DF, 0x7DF, 0x7E0, 0x7EF })]
    [InlineData("0x18DAF100-0x18DAF1FF", new uint[] { 0x18DAF100, 0x18DAF1FF })]
    [InlineData("0-1FFFFFFF", new uint[] { 0, 0x1FFFFFFF })]
    public void Ranges_parse_as_inclusive_hex_bounds(string text, uint[] bounds)
    {
        Assert.True(IdRanges.TryParse(text, out var ranges, out var error), error);
        Assert.Equal(bounds, ranges.SelectMany(r => new[] { r.Min, r.Max }));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("200-100", "'200-100' runs backwards (200 is above 100)")]
    [InlineData("12G", "'12G' is not a hex id or range")]
    [InlineData("1-2-3", "'1-2-3' is not a hex id or range")]
    [InlineData("100,", "'' is not a hex id or range")]
    [InlineData("20000000", "ids up to 1FFFFFFF")]
    public void Malformed_ranges_say_which_part_is_wrong(string text, string message)
    {
        Assert.False(IdRanges.TryParse(text, out _, out var error));
        Assert.StartsWith("--id: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Contains_checks_every_range_and_an_empty_list_holds_all()
    {
        Assert.True(IdRanges.TryParse("100-1FF,7DF", out var ranges, out _));
        Assert.True(IdRanges.Contains(ranges, 0x100));
        Assert.True(IdRanges.Contains(ranges, 0x7DF));
        Assert.False(IdRanges.Contains(ranges, 0x200));
        Assert.True(IdRanges.Contains([], 0x1FFFFFFF));
    }
}
