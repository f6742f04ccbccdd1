using System.Text;
using CanMesh.Frames;

namespace CanMesh.Cli.Formats.Asc;

/// <summary>
/// Writes Vector ASC in the dialect can-utils reads back (asc2log) and writes (log2asc):
/// <code>
/// date Wed Dec 02 10:00:00.000 am 2026
/// base hex  timestamps absolute
/// no internal events logged
/// // canmesh channel 1 = can0
/// Begin Triggerblock Wed Dec 02 10:00:00.000 am 2026
///    0.000000 Start of measurement
///    0.000120 1  123             Rx   d 3 11 22 33
///    0.000250 1  18DAF110x       Rx   r 8
///    0.000300 1  ErrorFrame
///    0.000400 CANFD   1 Rx         123                                  1 0 9 12 00 .. 0B        0    0     3000 0 0 0 0 0
/// End TriggerBlock
/// </code>
/// Timestamps are seconds from the date line, which is the export's earliest frame time cut to the millisecond, so
/// they are never negative and date + offset gives back every frame time to the microsecond. Interfaces become
/// channels 1..n in interface id order; the <c>// canmesh channel</c> comments keep their names for
/// <see cref="AscReader"/> (asc2log ignores comments and names channel n can{n-1}). What ASC cannot say is lost:
/// an error frame's class and data (written as a bare ErrorFrame, as asc2log reads one), and a CAN FD flags digit
/// beyond BRS/ESI.
/// </summary>
internal sealed class AscWriter : IFrameLogWriter
{
    /// <summary>The CANFD line's flags field (Vector's MessageFlags): FD format, bit rate switch, error state indicator.</summary>
    internal const uint FlagFdf = 0x1000, FlagBrs = 0x2000, FlagEsi = 0x4000, FlagRtr = 0x10;

    private const int MaxLineLength = 512;

    private readonly ByteOutput _out;
    private readonly long _startNs;
    private readonly Dictionary<ushort, int> _channels = [];
    private ushort _lastInterface = ushort.MaxValue;
    private int _lastChannel;

    public AscWriter(Stream stream, ExportHeader header)
    {
        _out = new ByteOutput(stream);
        var startMs = header.EarliestTimestampNs / 1_000_000;
        _startNs = startMs * 1_000_000;
        var date = AscDate.Format(startMs);
        var text = new StringBuilder();
        text.Append("date ").Append(date).Append('\n');
        text.Append("base hex  timestamps absolute\n");
        text.Append("no internal events logged\n");
        text.Append("// CanMesh export; the date is UTC\n");
        for (var i = 0; i < header.Interfaces.Count; i++)
        {
            _channels[header.Interfaces[i]] = i + 1;
            text.Append("// canmesh channel ").Append(i + 1).Append(" = ").Append(header.InterfaceName(header.Interfaces[i])).Append('\n');
        }
        text.Append("Begin Triggerblock ").Append(date).Append('\n');
        text.Append("   0.000000 Start of measurement\n");
        _out.Put(text.ToString());
    }

    public void Write(ReadOnlySpan<CanFrame> frames, ReadOnlySpan<long> seqs)
    {
        foreach (ref readonly var frame in frames) Write(in frame);
    }

    private void Write(in CanFrame frame)
    {
        _out.Reserve(MaxLineLength);
        var channel = ChannelOf(frame.InterfaceId);
        var offset = frame.TimestampNs - _startNs;
        _out.Decimal(offset / 1_000_000_000, 4);
        _out.Put((byte)'.');
        _out.FixedDecimal(offset % 1_000_000_000 / 1000, 6);
        _out.Put((byte)' ');
        if (frame.IsError)
        {
            _out.Decimal(channel);
            _out.Put("  ErrorFrame\n"u8);
        }
        else if (frame.IsFd)
        {
            WriteFd(in frame, channel);
        }
        else
        {
            WriteClassic(in frame, channel);
        }
    }

    private void WriteClassic(in CanFrame frame, int channel)
    {
        _out.Decimal(channel);
        _out.Spaces(2);
        var idLength = PutId(in frame);
        _out.Spaces(15 - idLength);
        _out.Put(" Rx   "u8);
        var dlc = frame.Len8Dlc != 0 ? frame.Len8Dlc : frame.Length;
        _out.Put(frame.IsRemote ? (byte)'r' : (byte)'d');
        _out.Put((byte)' ');
        _out.ShortHex(dlc, lower: true);
        foreach (var b in frame.ReadOnlyData)
        {
            _out.Put((byte)' ');
            _out.HexByte(b);
        }
        _out.Put((byte)'\n');
    }

    private void WriteFd(in CanFrame frame, int channel)
    {
        // <time> CANFD <ch> <dir> <id> <symbolic name> <brs> <esi> <dlc> <data length> <data> <duration> <bit count> <flags> <crc> <4 bit timings>
        _out.Put("CANFD "u8);
        _out.Decimal(channel, 3);
        _out.Put(" Rx "u8);
        // The id is right-aligned in 11 columns.
        var value = frame.Id;
        var digits = 1;
        while (digits < 8 && value >> (4 * digits) != 0) digits++;
        _out.Spaces(11 - digits - (frame.IsExtended ? 1 : 0));
        _out.ShortHex(value);
        if (frame.IsExtended) _out.Put((byte)'x');
        _out.Spaces(33);
        var brs = (frame.Flags & CanFrameFlags.BitRateSwitch) != 0;
        var esi = (frame.Flags & CanFrameFlags.ErrorStateIndicator) != 0;
        _out.Put(brs ? (byte)'1' : (byte)'0');
        _out.Put((byte)' ');
        _out.Put(esi ? (byte)'1' : (byte)'0');
        _out.Put((byte)' ');
        _out.ShortHex(FdDlc(frame.Length), lower: true);
        _out.Put((byte)' ');
        _out.Decimal(frame.Length, 2);
        foreach (var b in frame.ReadOnlyData)
        {
            _out.Put((byte)' ');
            _out.HexByte(b);
        }
        // Duration and bit count are unknown (0); the flags field is what asc2log reads the FD bits from.
        _out.Put("        0    0 "u8);
        var flags = FlagFdf | (brs ? FlagBrs : 0) | (esi ? FlagEsi : 0);
        _out.Spaces(4); // the flags are 4 hex digits, right-aligned in 8 columns
        _out.ShortHex(flags, lower: true);
        _out.Put(" 0 0 0 0 0\n"u8);
    }

    /// <summary>The id as ASC writes it: hex without leading zeros, 'x' after an extended one.</summary>
    private int PutId(in CanFrame frame)
    {
        var digits = _out.ShortHex(frame.Id);
        if (!frame.IsExtended) return digits;
        _out.Put((byte)'x');
        return digits + 1;
    }

    internal static uint FdDlc(int length) => length switch
    {
        <= 8 => (uint)length,
        <= 12 => 9,
        <= 16 => 10,
        <= 20 => 11,
        <= 24 => 12,
        <= 32 => 13,
        <= 48 => 14,
        _ => 15,
    };

    private int ChannelOf(ushort interfaceId)
    {
        if (interfaceId == _lastInterface) return _lastChannel;
        if (!_channels.TryGetValue(interfaceId, out var channel))
        {
            // Not announced by the first pass (a source that grew between passes): give it the next number.
            channel = _channels.Count + 1;
            _channels[interfaceId] = channel;
        }
        _lastInterface = interfaceId;
        _lastChannel = channel;
        return channel;
    }

    public void Finish()
    {
        _out.Reserve(MaxLineLength);
        _out.Put("End TriggerBlock\n"u8);
        _out.Flush();
    }

    public void Dispose() => _out.Dispose();
}
