using System.Buffers;
using System.Globalization;
using System.Text;

namespace CanMesh.Text;

/// <summary>
/// Makes text from outside (a line of a log file, a configuration value) safe to put into a log line, an event row or
/// an error message: control characters would otherwise ring the terminal's bell, move its cursor or hide text
/// (ESC sequences), and NUL bytes end up in SQLite text. Everything printable passes unchanged.
/// </summary>
/// <remarks>
/// Escapes: <c>\0 \a \b \t \n \v \f \r \e</c> for their controls, <c>\xNN</c> for the other C0 controls, DEL and
/// for each byte that is not valid UTF-8, <c>\u{NNNN}</c> for other invisible or direction-changing characters (C1
/// controls, format characters such as U+202E, line and paragraph separators, lone surrogates in a string), and
/// <c>\\</c> for a backslash so an escape in the output always means an escape. For error paths, not hot paths: it
/// allocates the string it returns.
/// </remarks>
public static class PrintableText
{
    /// <summary>How many characters of escaped text a report keeps by default.</summary>
    public const int DefaultMaxLength = 200;

    /// <summary>Bound for a file path: Linux's PATH_MAX, so a real path is never cut.</summary>
    public const int MaxPathLength = 4096;

    /// <summary>Escapes UTF-8 bytes, each invalid byte as <c>\xNN</c>.</summary>
    /// <param name="utf8">The text, possibly not valid UTF-8.</param>
    /// <param name="maxLength">
    /// At most this many characters of escaped text; if the input does not fit, a note of how many input bytes were
    /// left out follows.
    /// </param>
    public static string Escape(ReadOnlySpan<byte> utf8, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var text = new StringBuilder(Math.Min(maxLength, utf8.Length) + 16);
        int i = 0;
        while (i < utf8.Length)
        {
            int before = text.Length;
            if (Rune.DecodeFromUtf8(utf8[i..], out var rune, out int consumed) == OperationStatus.Done)
            {
                Append(text, rune);
            }
            else
            {
                // One byte at a time: the next byte may start a valid character again.
                AppendHex(text, utf8[i]);
                consumed = 1;
            }
            if (text.Length > maxLength)
            {
                text.Length = before;
                return AppendCut(text, utf8.Length - i, "bytes");
            }
            i += consumed;
        }
        return text.ToString();
    }

    /// <summary>Escapes a string; a lone surrogate comes out as <c>\u{D800}</c>.</summary>
    /// <inheritdoc cref="Escape(ReadOnlySpan{byte}, int)" path="/param[@name='maxLength']"/>
    public static string Escape(ReadOnlySpan<char> text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var escaped = new StringBuilder(Math.Min(maxLength, text.Length) + 16);
        int i = 0;
        while (i < text.Length)
        {
            int before = escaped.Length;
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out int consumed) == OperationStatus.Done)
            {
                Append(escaped, rune);
            }
            else
            {
                AppendCodePoint(escaped, text[i]);
                consumed = 1;
            }
            if (escaped.Length > maxLength)
            {
                escaped.Length = before;
                return AppendCut(escaped, text.Length - i, "characters");
            }
            i += consumed;
        }
        return escaped.ToString();
    }

    private static void Append(StringBuilder text, Rune rune)
    {
        switch (rune.Value)
        {
            case '\\': text.Append(@"\\"); return;
            case '\0': text.Append(@"\0"); return;
            case '\a': text.Append(@"\a"); return;
            case '\b': text.Append(@"\b"); return;
            case '\t': text.Append(@"\t"); return;
            case '\n': text.Append(@"\n"); return;
            case '\v': text.Append(@"\v"); return;
            case '\f': text.Append(@"\f"); return;
            case '\r': text.Append(@"\r"); return;
            case '\e': text.Append(@"\e"); return;
        }
        if (rune.Value is < 0x20 or 0x7F) AppendHex(text, (byte)rune.Value);
        else if (NeedsEscape(rune)) AppendCodePoint(text, rune.Value);
        else if (rune.IsBmp) text.Append((char)rune.Value);
        else
        {
            Span<char> pair = stackalloc char[2];
            text.Append(pair[..rune.EncodeToUtf16(pair)]);
        }
    }

    /// <summary>Characters that are not visible text: controls (C1 included), format characters (bidi overrides), separators.</summary>
    private static bool NeedsEscape(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static void AppendHex(StringBuilder text, byte value) =>
        text.Append(@"\x").Append(value.ToString("X2", CultureInfo.InvariantCulture));

    private static void AppendCodePoint(StringBuilder text, int value) =>
        text.Append(@"\u{").Append(value.ToString("X4", CultureInfo.InvariantCulture)).Append('}');

    private static string AppendCut(StringBuilder text, int left, string unit) =>
        text.Append("... (").Append(left.ToString(CultureInfo.InvariantCulture)).Append(" more ").Append(unit).Append(')').ToString();
}
