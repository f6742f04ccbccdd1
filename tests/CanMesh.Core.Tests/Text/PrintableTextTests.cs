using System.Text;
using CanMesh.Text;

namespace CanMesh.Core.Tests.Text;

public class PrintableTextTests
{
    [Theory]
    [InlineData("can0 123#11", "can0 123#11")]
    [InlineData("Grüße, ĉiuj 🚗", "Grüße, ĉiuj 🚗")]
    [InlineData("a\0b", @"a\0b")]
    [InlineData("\u001b[2J\u001b[31mred", @"\e[2J\e[31mred")]
    [InlineData("bell\a", @"bell\a")]
    [InlineData("\b\t\n\v\f\r", @"\b\t\n\v\f\r")]
    [InlineData("\u0001\u001f\u007f", @"\x01\x1F\x7F")]
    [InlineData(@"C:\logs", @"C:\\logs")]                    // a backslash is escaped too: every '\' in the output starts an escape
    [InlineData("\u009b31m", @"\u{009B}31m")]                // C1 CSI: some terminals act on it like ESC [
    [InlineData("abc\u202Egnp.exe", @"abc\u{202E}gnp.exe")] // right-to-left override hides what the text says
    [InlineData("\u2028", @"\u{2028}")]                      // line separator
    public void Escapes_what_a_terminal_would_act_on_and_keeps_the_rest(string input, string expected)
    {
        Assert.Equal(expected, PrintableText.Escape(input));
        Assert.Equal(expected, PrintableText.Escape(Encoding.UTF8.GetBytes(input)));
    }

    [Fact]
    public void Bytes_that_are_not_utf8_come_out_as_hex_and_the_valid_text_around_them_is_kept()
    {
        byte[] input = [(byte)'a', 0xFF, 0xC3, (byte)'b', 0xE2, 0x82, 0xC3, 0xA4];
        Assert.Equal(@"a\xFF\xC3b\xE2\x82ä", PrintableText.Escape(input));
    }

    [Fact]
    public void A_lone_surrogate_in_a_string_is_shown_by_its_code_point()
    {
        Assert.Equal(@"x\u{D800}y", PrintableText.Escape("x\uD800y"));
    }

    [Fact]
    public void Output_is_bounded_and_says_how_much_was_left_out()
    {
        var line = new string('A', 150) + new string('\u001b', 100);
        string escaped = PrintableText.Escape(Encoding.UTF8.GetBytes(line), maxLength: 200);
        // 150 letters, then 25 escapes of 2 characters; the 75 ESC bytes that did not fit are counted.
        Assert.Equal(new string('A', 150) + string.Concat(Enumerable.Repeat(@"\e", 25)) + "... (75 more bytes)", escaped);

        // An escape is never cut in half.
        Assert.Equal(@"ab... (1 more characters)", PrintableText.Escape("ab\u0001", maxLength: 4));
        Assert.Equal(@"ab\x01", PrintableText.Escape("ab\u0001", maxLength: 6));
    }

    [Fact]
    public void Text_that_fits_exactly_is_not_marked_as_cut()
    {
        Assert.Equal("abcd", PrintableText.Escape("abcd", maxLength: 4));
        Assert.Equal("", PrintableText.Escape(ReadOnlySpan<byte>.Empty));
    }
}
