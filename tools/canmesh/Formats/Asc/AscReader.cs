using System.Globalization;
using CanMesh.Candump;
using CanMesh.Frames;
using CanMesh.Text;

namespace CanMesh.Cli.Formats.Asc;

/// <summary>
/// Reads Vector ASC: the header (<c>date</c>, <c>base hex|dec timestamps absolute|relative</c>), classic frame lines
/// (<c>t ch id[x] Rx|Tx d|r dlc data...</c>, with or without trailing Length/BitCount fields), <c>ErrorFrame</c>
/// lines, and <c>CANFD</c> lines (with or without a symbolic name; their flags field says whether the frame is FD,
/// and a classic remote frame in CANFD form is read as one). Other events (status, statistics, J1939TP, Start of
/// measurement, trigger blocks, comments) are not frames: counted, not reported. A line that starts like a frame
/// but does not parse is reported with its number and skipped.
/// </summary>
/// <remarks>
/// Frame time is the date line (read as UTC) plus the line's seconds; relative timestamps add up frame by frame,
/// as asc2log does. An ErrorFrame carries no class in ASC: it becomes a bus error (class 0x80, 8 zero bytes), as
/// asc2log reads it. Channel n is the interface a <c>// canmesh channel n = NAME</c> comment names (CanMesh's own
/// exports), else can{n-1}, asc2log's name for it. Direction (Rx/Tx) is not kept: both were on the bus.
/// </remarks>
internal sealed class AscReader : IFrameLogReader
{
    private const uint BusError = 0x80;

    private readonly StreamReader _text;
    private readonly FrameLogReaderContext _context;
    private readonly Dictionary<int, ushort> _channels = [];
    private readonly Dictionary<int, string> _channelNames = [];
    private long _dateNs;
    private bool _hex = true;
    private bool _relative;
    private long _lastNs;
    private long _lineNumber;

    public AscReader(Stream stream, FrameLogReaderContext context)
    {
        _text = new StreamReader(stream, leaveOpen: true);
        _context = context;
    }

    public long MalformedLines { get; private set; }

    public long IgnoredLines { get; private set; }

    public int ReadBatch(FrameBatch batch)
    {
        var before = batch.Count;
        while (!batch.IsFull && _text.ReadLine() is { } line)
        {
            _lineNumber++;
            ref var frame = ref batch.Append();
            if (!TryLine(line, ref frame)) batch.RemoveLast();
        }
        return batch.Count - before;
    }

    /// <summary>True when the line was a frame and <paramref name="frame"/> holds it.</summary>
    private bool TryLine(string line, ref CanFrame frame)
    {
        var t = line.Split((char[]?)[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (t.Length == 0) return Ignore();
        if (!IsTimestamp(t[0])) return Header(line, t);
        if (!TryTimestamp(t[0], out var seconds)) return Malformed(line, "timestamp is not seconds with a fraction");
        if (t.Length < 3) return Ignore();
        string? error;
        if (t[1] == "CANFD")
        {
            if (t.Length > 4 && t[4].StartsWith("ErrorFrame", StringComparison.Ordinal))
            {
                if (!int.TryParse(t[2], NumberStyles.None, CultureInfo.InvariantCulture, out var errorChannel)) return Malformed(line, "CANFD line without a channel number");
                return ErrorFrame(ref frame, errorChannel, seconds);
            }
            if (!TryFd(t, ref frame, out var fdChannel, out error)) return Malformed(line, error);
            return Finish(line, ref frame, fdChannel, seconds);
        }
        if (!int.TryParse(t[1], NumberStyles.None, CultureInfo.InvariantCulture, out var channel)) return Ignore(); // CAN 1 Status, Start of measurement, CANXL...
        if (t[2].StartsWith("ErrorFrame", StringComparison.Ordinal)) return ErrorFrame(ref frame, channel, seconds);
        // A frame line has an id and a direction; anything else with a channel is another event (Statistic:, J1939TP, SV:).
        if (t.Length < 4 || !IsId(t[2]) || t[3] is not ("Rx" or "Tx" or "TxRq")) return Ignore();
        if (!TryClassic(t, ref frame, out error)) return Malformed(line, error);
        return Finish(line, ref frame, channel, seconds);
    }

    private bool Finish(string line, ref CanFrame frame, int channel, long seconds)
    {
        frame.TimestampNs = Time(seconds);
        if (CandumpLineFormatter.Validate(in frame) is { } problem) return Malformed(line, problem);
        frame.InterfaceId = InterfaceOf(channel);
        return true;
    }

    private bool ErrorFrame(ref CanFrame frame, int channel, long seconds)
    {
        frame.Flags = CanFrameFlags.Error;
        frame.Id = BusError;
        frame.Length = 8;
        frame.TimestampNs = Time(seconds);
        frame.InterfaceId = InterfaceOf(channel);
        return true;
    }

    /// <summary><c>id[x] Rx|Tx d dlc b0 b1 ...</c> or <c>id[x] Rx|Tx r [dlc]</c>, after time and channel.</summary>
    private bool TryClassic(string[] t, ref CanFrame frame, out string error)
    {
        error = "";
        if (!TryId(t[2], ref frame)) return Fail(out error, "the id is not a number");
        if (t.Length < 5) return Fail(out error, "missing 'd' or 'r' after the direction");
        if (t[4] == "r")
        {
            frame.Flags |= CanFrameFlags.Remote;
            // The length is optional (older CANalyzer writes none); what follows may be Length = ... fields.
            if (t.Length > 5 && TryNumber(t[5], hex: true, out var requested) && requested <= 15) SetDlc(ref frame, requested);
            return true;
        }
        if (t[4] != "d") return Fail(out error, "expected 'd' (data) or 'r' (remote) after the direction");
        if (t.Length < 6 || !TryNumber(t[5], hex: true, out var dlc) || dlc > 15) return Fail(out error, "the DLC is not 0-F");
        SetDlc(ref frame, dlc);
        if (t.Length < 6 + frame.Length) return Fail(out error, "fewer data bytes than the DLC says");
        for (var i = 0; i < frame.Length; i++)
        {
            if (!TryNumber(t[6 + i], _hex, out var b) || b > 255) return Fail(out error, "a data byte is not a byte");
            frame.Payload[i] = (byte)b;
        }
        return true;
    }

    private static void SetDlc(ref CanFrame frame, uint dlc)
    {
        frame.Length = (byte)Math.Min(dlc, 8);
        if (dlc > 8) frame.Len8Dlc = (byte)dlc;
    }

    /// <summary><c>CANFD ch dir id [name] brs esi dlc len data... duration bitcount flags ...</c>.</summary>
    private static bool TryFd(string[] t, ref CanFrame frame, out int channel, out string error)
    {
        error = "";
        channel = 0;
        if (t.Length < 9 || !int.TryParse(t[2], NumberStyles.None, CultureInfo.InvariantCulture, out channel)) return Fail(out error, "CANFD line too short");
        if (!TryId(t[4], ref frame, hex: true)) return Fail(out error, "the id is not a number");
        // A symbolic name may stand between id and BRS; BRS is a single 0 or 1.
        var i = t[5] is "0" or "1" ? 5 : 6;
        if (t.Length < i + 4) return Fail(out error, "CANFD line too short");
        if (t[i] is not ("0" or "1") || t[i + 1] is not ("0" or "1")) return Fail(out error, "BRS and ESI must be 0 or 1");
        if (!TryNumber(t[i + 2], hex: true, out var dlc) || dlc > 15) return Fail(out error, "the DLC is not 0-F");
        if (!int.TryParse(t[i + 3], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || !CanFrame.IsValidFdLength(length))
            return Fail(out error, "the data length is not a CAN FD length");
        var data = i + 4;
        if (t.Length < data + length) return Fail(out error, "fewer data bytes than the data length says");
        for (var k = 0; k < length; k++)
        {
            if (!TryNumber(t[data + k], hex: true, out var b) || b > 255) return Fail(out error, "a data byte is not a byte");
            frame.Payload[k] = (byte)b;
        }
        // Flags: after the data come the message duration, the bit count, then the flags (hex).
        var flagsAt = data + length + 2;
        var hasFlags = t.Length > flagsAt && TryNumber(t[flagsAt], hex: true, out _);
        uint flags = 0;
        if (hasFlags) TryNumber(t[flagsAt], hex: true, out flags);
        if (hasFlags && (flags & AscWriter.FlagFdf) == 0 && length <= 8)
        {
            // A classic frame written in CANFD form (log2asc -f, CANoe with FD channels).
            if ((flags & AscWriter.FlagRtr) != 0)
            {
                frame.Flags |= CanFrameFlags.Remote;
                SetDlc(ref frame, dlc);
            }
            else
            {
                frame.Length = (byte)length;
                if (length == 8 && dlc > 8) frame.Len8Dlc = (byte)dlc;
            }
            return true;
        }
        frame.Flags |= CanFrameFlags.Fd;
        if (t[i] == "1") frame.Flags |= CanFrameFlags.BitRateSwitch;
        if (t[i + 1] == "1") frame.Flags |= CanFrameFlags.ErrorStateIndicator;
        frame.Length = (byte)length;
        return true;
    }

    private bool Header(string line, string[] t)
    {
        if (t[0] == "date")
        {
            if (!AscDate.TryParse(line.Trim()[4..], out _dateNs))
            {
                _context.OnSkipped(new CandumpSkippedLine(_context.Source, _lineNumber, CandumpSkipKind.Malformed,
                    "date not understood; frame times count from 1970-01-01", PrintableText.Escape(line, CandumpSkippedLine.MaxTextLength)));
            }
            _lastNs = _dateNs;
        }
        else if (t[0] == "base" && t.Length >= 4)
        {
            _hex = t[1] != "dec";
            _relative = t[3] == "relative";
        }
        else if (t.Length == 6 && t[0] == "//" && t[1] == "canmesh" && t[2] == "channel" && t[4] == "="
                 && int.TryParse(t[3], NumberStyles.None, CultureInfo.InvariantCulture, out var channel))
        {
            _channelNames[channel] = t[5];
            InterfaceOf(channel); // named in channel order, so a re-import numbers interfaces as the export did
        }
        return Ignore();
    }

    private long Time(long lineNs)
    {
        var ns = _relative ? _lastNs + lineNs : _dateNs + lineNs;
        _lastNs = ns;
        return ns;
    }

    private ushort InterfaceOf(int channel)
    {
        if (_channels.TryGetValue(channel, out var id)) return id;
        var name = _channelNames.TryGetValue(channel, out var n) ? n : channel > 0 ? $"can{channel - 1}" : "canX";
        id = _context.ResolveInterface(name);
        _channels[channel] = id;
        return id;
    }

    private bool TryId(string text, ref CanFrame frame) => TryId(text, ref frame, _hex);

    private static bool TryId(string text, ref CanFrame frame, bool hex)
    {
        var extended = text.EndsWith('x') || text.EndsWith('X');
        if (!TryNumber(extended ? text[..^1] : text, hex, out var id)) return false;
        frame.Id = id;
        if (extended) frame.Flags |= CanFrameFlags.Extended;
        return true;
    }

    private static bool IsId(string text)
    {
        var digits = text.EndsWith('x') || text.EndsWith('X') ? text.AsSpan()[..^1] : text.AsSpan();
        return digits.Length is > 0 and <= 8 && !digits.ContainsAnyExcept("0123456789abcdefABCDEF");
    }

    private static bool TryNumber(string text, bool hex, out uint value) =>
        uint.TryParse(text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool IsTimestamp(string token) => token.Length > 0 && char.IsAsciiDigit(token[0]);

    /// <summary>Seconds with 1-9 fractional digits (CANalyzer writes 4, 5 or 6) to nanoseconds.</summary>
    private static bool TryTimestamp(string token, out long ns)
    {
        ns = 0;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || token.Length - dot - 1 is < 1 or > 9) return false;
        if (!long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > CandumpLineParser.MaxSeconds) return false;
        if (!long.TryParse(token.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var fraction)) return false;
        for (var k = token.Length - dot - 1; k < 9; k++) fraction *= 10;
        ns = seconds * 1_000_000_000 + fraction;
        return true;
    }

    private bool Ignore()
    {
        IgnoredLines++;
        return false;
    }

    private bool Malformed(string line, string reason)
    {
        MalformedLines++;
        _context.OnSkipped(new CandumpSkippedLine(_context.Source, _lineNumber, CandumpSkipKind.Malformed, reason,
            PrintableText.Escape(line, CandumpSkippedLine.MaxTextLength)));
        return false;
    }

    private static bool Fail(out string error, string reason)
    {
        error = reason;
        return false;
    }

    public void Dispose() => _text.Dispose();
}
