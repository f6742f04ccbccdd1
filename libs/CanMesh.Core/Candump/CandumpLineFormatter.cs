using System.Buffers;
using System.Globalization;
using System.Text;
using CanMesh.Frames;

namespace CanMesh.Candump;

/// <summary>
/// Writes a <see cref="CanFrame"/> as one canonical candump log line, <c>(%d.%06d) iface frame\n</c>, the way
/// can-utils' <c>candump -l</c> does: ids upper case with 3 or 8 digits, data upper case without separators, remote
/// frames as <c>R</c> plus the length digit when it is not 0, CAN FD as <c>##&lt;flags&gt;&lt;data&gt;</c>, len8_dlc as
/// <c>_X</c>. The FD flags digit carries FDF (4) as candump on a current kernel writes it (<c>##5</c> for BRS; every
/// can-utils version reads it), unless the frame kept other bits from the log it was read from
/// (<see cref="CanFrame.FdFlagsExtra"/>): then it is that log's digit again. Formatting goes straight into a caller's
/// span, so writing allocates nothing per frame.
/// </summary>
public static class CandumpLineFormatter
{
    /// <summary>The longest frame text: an 8-digit id, "##", the flags digit and 64 bytes of hex.</summary>
    public const int MaxFrameTextLength = 8 + 2 + 1 + 2 * CanFrame.MaxFdLength;

    private const uint ErrorFlag = 0x2000_0000;

    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    /// <summary>Bytes needed, at most, for a line whose interface name has <paramref name="interfaceNameLength"/> UTF-8 bytes.</summary>
    public static int MaxLineLength(int interfaceNameLength) =>
        1 + 19 + 1 + 6 + 1 + 1 + interfaceNameLength + 1 + MaxFrameTextLength + 1;

    /// <summary>
    /// Why <paramref name="frame"/> cannot be written so that it reads back the same, or null when it can.
    /// The timestamp is written in whole microseconds (truncated), as candump records it.
    /// </summary>
    public static string? Validate(in CanFrame frame)
    {
        if (frame.TimestampNs < 0) return "timestamp is before the Unix epoch";
        var flags = frame.Flags;
        bool fd = (flags & CanFrameFlags.Fd) != 0;
        if (!fd && (flags & (CanFrameFlags.BitRateSwitch | CanFrameFlags.ErrorStateIndicator)) != 0)
            return "BRS/ESI flags on a frame that is not CAN FD";
        if (!fd && frame.FdFlagsExtra != CanFdFlagsExtra.None) return "CAN FD flag bits (FdFlagsExtra) on a frame that is not CAN FD";
        if (!FdFlagsDigit.IsValidExtra(frame.FdFlagsExtra)) return "FdFlagsExtra holds bits that are not FdfClear or Bit3";
        if ((flags & CanFrameFlags.Error) != 0)
        {
            // The Extended flag is tolerated on error frames and not written: the error format has no place for it.
            if ((flags & (CanFrameFlags.Fd | CanFrameFlags.Remote)) != 0) return "an error frame cannot be remote or CAN FD";
            if (frame.Id > CanFrame.MaxExtendedId) return "error class bits exceed 29 bits";
            if (frame.Length > CanFrame.MaxClassicLength) return "an error frame carries at most 8 bytes";
            return frame.Len8Dlc != 0 ? "an error frame has no len8_dlc" : null;
        }
        if (frame.Id > ((flags & CanFrameFlags.Extended) != 0 ? CanFrame.MaxExtendedId : CanFrame.MaxStandardId))
            return "id too large for its format";
        if (fd)
        {
            if ((flags & CanFrameFlags.Remote) != 0) return "CAN FD frames have no remote form";
            if (!CanFrame.IsValidFdLength(frame.Length)) return "invalid CAN FD length";
            return frame.Len8Dlc != 0 ? "len8_dlc applies only to classic frames" : null;
        }
        if (frame.Length > CanFrame.MaxClassicLength) return "a classic frame carries at most 8 bytes";
        if (frame.Len8Dlc != 0 && (frame.Length != CanFrame.MaxClassicLength || frame.Len8Dlc is < 9 or > 15))
            return "len8_dlc must be 9-15 and needs length 8";
        return null;
    }

    /// <summary>Formats one line, newline included, into <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException">The frame is invalid (see <see cref="Validate"/>), the interface name is empty
    /// or contains blanks, or <paramref name="destination"/> is shorter than <see cref="MaxLineLength"/>.</exception>
    public static int Format(in CanFrame frame, ReadOnlySpan<byte> utf8InterfaceName, Span<byte> destination)
    {
        // Checked before the first byte is written, so a failure leaves nothing half-written.
        if (Validate(in frame) is { } problem) throw new ArgumentException($"Cannot write frame {frame} as candump: {problem}.", nameof(frame));
        ValidateInterfaceName(utf8InterfaceName);
        if (destination.Length < MaxLineLength(utf8InterfaceName.Length))
            throw new ArgumentException("Destination is shorter than MaxLineLength.", nameof(destination));

        var d = destination;
        int p = 0;
        d[p++] = (byte)'(';
        long seconds = Math.DivRem(frame.TimestampNs, 1_000_000_000, out long nanos);
        seconds.TryFormat(d[p..], out int written, default, CultureInfo.InvariantCulture);
        p += written;
        d[p++] = (byte)'.';
        int micros = (int)(nanos / 1_000);
        for (int k = 5; k >= 0; k--, micros /= 10) d[p + k] = (byte)('0' + micros % 10);
        p += 6;
        d[p++] = (byte)')';
        d[p++] = (byte)' ';
        utf8InterfaceName.CopyTo(d[p..]);
        p += utf8InterfaceName.Length;
        d[p++] = (byte)' ';

        var flags = frame.Flags;
        if ((flags & CanFrameFlags.Error) != 0) p = PutHex(d, p, frame.Id | ErrorFlag, 8);
        else if ((flags & CanFrameFlags.Extended) != 0) p = PutHex(d, p, frame.Id, 8);
        else p = PutHex(d, p, frame.Id, 3);
        d[p++] = (byte)'#';

        if ((flags & CanFrameFlags.Remote) != 0)
        {
            d[p++] = (byte)'R';
            if (frame.Length != 0) d[p++] = Hex[frame.Length];
            p = PutLen8Dlc(d, p, in frame);
        }
        else
        {
            if ((flags & CanFrameFlags.Fd) != 0)
            {
                d[p++] = (byte)'#';
                d[p++] = Hex[FdFlagsDigit.Of(flags, frame.FdFlagsExtra)];
            }
            foreach (byte b in frame.ReadOnlyData)
            {
                d[p++] = Hex[b >> 4];
                d[p++] = Hex[b & 0xF];
            }
            p = PutLen8Dlc(d, p, in frame);
        }
        d[p++] = (byte)'\n';
        return p;
    }

    /// <summary>Formats one line into <paramref name="writer"/> (a PipeWriter, an ArrayBufferWriter, ...).</summary>
    public static void Write(in CanFrame frame, ReadOnlySpan<byte> utf8InterfaceName, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int written = Format(in frame, utf8InterfaceName, writer.GetSpan(MaxLineLength(utf8InterfaceName.Length)));
        writer.Advance(written);
    }

    /// <summary>One line as a string, newline excluded. Allocates: for tools and tests, not for bulk export.</summary>
    public static string FormatLine(in CanFrame frame, string interfaceName)
    {
        byte[] name = Encoding.UTF8.GetBytes(interfaceName);
        Span<byte> line = stackalloc byte[MaxLineLength(name.Length)];
        int length = Format(in frame, name, line);
        return Encoding.UTF8.GetString(line[..(length - 1)]);
    }

    /// <summary>An interface name is one token of the line: canplayer and our parser split on blanks.</summary>
    internal static void ValidateInterfaceName(ReadOnlySpan<byte> utf8InterfaceName)
    {
        if (utf8InterfaceName.IsEmpty || utf8InterfaceName.IndexOfAny(" \t\r\n"u8) >= 0)
            throw new ArgumentException($"Interface name '{Encoding.UTF8.GetString(utf8InterfaceName)}' must be non-empty and contain no blanks or line breaks.");
    }

    private static int PutLen8Dlc(Span<byte> d, int p, in CanFrame frame)
    {
        if (frame.Len8Dlc == 0) return p;
        d[p++] = (byte)'_';
        d[p++] = Hex[frame.Len8Dlc];
        return p;
    }

    private static int PutHex(Span<byte> d, int p, uint value, int digits)
    {
        for (int k = digits - 1; k >= 0; k--, value >>= 4) d[p + k] = Hex[(int)(value & 0xF)];
        return p + digits;
    }
}
