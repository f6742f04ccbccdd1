using CanMesh.Text;

namespace CanMesh.Candump;

/// <summary>Why <see cref="CandumpLogReader"/> skipped a line.</summary>
public enum CandumpSkipKind
{
    /// <summary>The line is not a valid candump frame line.</summary>
    Malformed,

    /// <summary>
    /// A <c>DROPCOUNT: dropped N CAN frames ...</c> note that <c>candump -d</c> writes into the log: not a frame, but a
    /// record that the original capture lost frames, so it is reported rather than dropped silently (DESIGN invariant 4).
    /// </summary>
    DropCountNotice,
}

/// <summary>
/// A line the reader did not turn into a frame: which line of which file, and why. Only skipped lines create one,
/// so good lines allocate nothing.
/// </summary>
/// <param name="Source">The file path (or the name the caller gave the stream).</param>
/// <param name="LineNumber">1-based line number.</param>
/// <param name="Kind">Malformed line or drop-count note.</param>
/// <param name="Reason">What is wrong with the line.</param>
/// <param name="Text">
/// The line itself, made printable by <see cref="PrintableText"/> (control characters and bytes that are not UTF-8 as
/// <c>\xNN</c>, <c>\e</c>, ...) and cut to <see cref="MaxTextLength"/> characters plus a note of what was left out.
/// </param>
public sealed record CandumpSkippedLine(string Source, long LineNumber, CandumpSkipKind Kind, string Reason, string Text)
{
    /// <summary>How much of a skipped line is kept for the report.</summary>
    public const int MaxTextLength = 200;

    /// <summary>
    /// Compiler-style <c>path:line: reason: text</c>, which editors and people can both act on; every part printable,
    /// so it can go to a terminal or an event row as it is.
    /// </summary>
    public override string ToString() => $"{PrintableText.Escape(Source, PrintableText.MaxPathLength)}:{LineNumber}: {Reason}: {Text}";
}
