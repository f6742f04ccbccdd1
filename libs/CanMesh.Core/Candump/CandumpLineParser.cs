using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using CanMesh.Frames;

namespace CanMesh.Candump;

/// <summary>
/// Parses one candump log line, <c>(&lt;sec&gt;.&lt;usec&gt;) &lt;iface&gt; &lt;frame&gt;</c>, into a <see cref="CanFrame"/>.
/// What is accepted (and why) is listed in this folder's README.md; in short, every form can-utils'
/// <c>candump -l</c>/<c>-L</c> writes and its <c>parse_canframe</c> reads, but stricter: input that can-utils
/// would silently misread (a 4-digit id, 9 data bytes, an FD length of 9) is rejected with a reason.
/// </summary>
/// <remarks>
/// Bad input is data, not a bug, so a bad line returns false with a constant reason string: no exception and no
/// allocation per line. The interface name comes back as a range of the line so the caller can map it to an
/// interface id without allocating a string per line; the parser leaves <see cref="CanFrame.InterfaceId"/> alone.
/// One generic implementation serves chars and UTF-8 bytes; the JIT specialises it for each.
/// </remarks>
public static class CandumpLineParser
{
    /// <summary>Largest seconds value whose nanosecond timestamp still fits a <see cref="long"/>.</summary>
    public const long MaxSeconds = (long.MaxValue - 999_999_999) / 1_000_000_000;

    /// <summary>
    /// Longest interface name in UTF-8 bytes: Linux's IFNAMSIZ (16) less the terminating NUL. No real interface has a
    /// longer name, and can-utils' canplayer refuses one.
    /// </summary>
    public const int MaxInterfaceNameBytes = 15;

    /// <summary>CAN_ERR_FLAG: an 8-digit id with this bit is an error frame.</summary>
    private const uint ErrorFlag = 0x2000_0000;

    /// <summary>CAN_EFF_FLAG | CAN_RTR_FLAG: socket-level flags that never appear in the text form.</summary>
    private const uint SocketFlagBits = 0xC000_0000;

    /// <summary>Parses a line (without its line terminator).</summary>
    /// <param name="line">The line; a trailing '\r' is not accepted, the reader strips it.</param>
    /// <param name="frame">Receives timestamp, id, flags, length, len8_dlc and data; unspecified when false is returned.</param>
    /// <param name="interfaceName">Where the interface name is in <paramref name="line"/>.</param>
    /// <param name="error">Why the line was rejected (a constant string), or null.</param>
    public static bool TryParse(ReadOnlySpan<char> line, ref CanFrame frame, out Range interfaceName,
        [NotNullWhen(false)] out string? error) =>
        TryParseCore(line, ref frame, out interfaceName, out error);

    /// <summary>Parses a UTF-8 line (without its line terminator).</summary>
    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, ref CanFrame, out Range, out string?)"/>
    public static bool TryParse(ReadOnlySpan<byte> utf8Line, ref CanFrame frame, out Range interfaceName,
        [NotNullWhen(false)] out string? error) =>
        TryParseCore(utf8Line, ref frame, out interfaceName, out error);

    private static bool TryParseCore<T>(ReadOnlySpan<T> s, ref CanFrame frame, out Range interfaceName,
        [NotNullWhen(false)] out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        interfaceName = default;
        if (s.IsEmpty) return Fail(out error, "empty line");
        if (At(s, 0) != '(')
            return Fail(out error, "line does not start with '(': expected '(<seconds>.<microseconds>) <interface> <frame>'");

        // Timestamp. candump writes "%010lu.%06lu" in some versions and "%lu.%06lu" in others, so leading zeros are
        // fine; exactly six fractional digits keeps "1.5" from being read as 1.000005 s.
        int i = 1;
        long seconds = 0;
        int secondsStart = i;
        while (i < s.Length && IsDigit(At(s, i)))
        {
            seconds = seconds * 10 + (At(s, i) - '0');
            if (seconds > MaxSeconds) return Fail(out error, "timestamp seconds out of range");
            i++;
        }
        if (i == secondsStart) return Fail(out error, "timestamp has no seconds: expected '(<seconds>.<microseconds>)'");
        if (i >= s.Length || At(s, i) != '.') return Fail(out error, "timestamp has no '.': expected '(<seconds>.<microseconds>)'");
        i++;
        int micros = 0, fractionStart = i;
        while (i < s.Length && IsDigit(At(s, i)))
        {
            if (i - fractionStart == 6) return Fail(out error, "timestamp must have exactly 6 fractional digits");
            micros = micros * 10 + (At(s, i) - '0');
            i++;
        }
        if (i - fractionStart != 6) return Fail(out error, "timestamp must have exactly 6 fractional digits");
        if (i >= s.Length || At(s, i) != ')') return Fail(out error, "timestamp is not closed by ')'");
        i++;
        if (i >= s.Length || !IsBlank(At(s, i))) return Fail(out error, "expected a space after the timestamp");

        // Interface name. candump may pad it on the left to the longest name ("%*s"), so any run of blanks separates.
        i = SkipBlanks(s, i);
        int ifaceStart = i;
        i = SkipToken(s, i);
        if (i == ifaceStart) return Fail(out error, "missing interface name after the timestamp");
        var iface = s[ifaceStart..i];
        if (i >= s.Length || SkipBlanks(s, i) == s.Length)
        {
            return iface.IndexOf(T.CreateTruncating('#')) >= 0
                ? Fail(out error, "missing interface name: found a frame where the interface name belongs")
                : Fail(out error, "missing frame after the interface name");
        }
        if (Utf8Length(iface) > MaxInterfaceNameBytes)
            return Fail(out error, "interface name longer than 15 bytes (Linux IFNAMSIZ is 16 with the terminating NUL)");
        if (ContainsControl(iface)) return Fail(out error, "interface name contains a control character");
        i = SkipBlanks(s, i);
        int frameStart = i;
        i = SkipToken(s, i);
        var frameText = s[frameStart..i];

        // candump -x appends the direction, " R" (received) or " T" (transmitted). A capture has no use for it, so it
        // is validated and dropped; anything else after the frame is an error.
        i = SkipBlanks(s, i);
        if (i < s.Length)
        {
            int end = SkipToken(s, i);
            bool direction = end == i + 1 && At(s, i) is 'R' or 'T';
            if (!direction || SkipBlanks(s, end) != s.Length)
                return Fail(out error, "unexpected text after the frame (only a direction 'R' or 'T' may follow)");
        }

        if (!TryParseFrame(frameText, ref frame, out error)) return false;
        frame.TimestampNs = seconds * 1_000_000_000 + micros * 1_000L;
        interfaceName = new Range(ifaceStart, ifaceStart + iface.Length);
        return true;
    }

    /// <summary>Parses the <c>&lt;id&gt;#...</c> part.</summary>
    private static bool TryParseFrame<T>(ReadOnlySpan<T> f, ref CanFrame frame, [NotNullWhen(false)] out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        int hash = f.IndexOf(T.CreateTruncating('#'));
        if (hash < 0) return Fail(out error, "frame has no '#' between id and data");

        uint rawId = 0;
        for (int k = 0; k < hash; k++)
        {
            int nibble = HexValue(At(f, k));
            if (nibble < 0) return Fail(out error, "id is not hexadecimal");
            rawId = (rawId << 4) | (uint)nibble;
        }

        var flags = CanFrameFlags.None;
        uint id;
        switch (hash)
        {
            case 3:
                if (rawId > CanFrame.MaxStandardId) return Fail(out error, "3-digit (standard) id above 7FF");
                id = rawId;
                break;
            case 8:
                // The text carries only CAN_ERR_FLAG; the EFF flag is implied by the 8 digits and RTR by '#R'.
                if ((rawId & SocketFlagBits) != 0)
                    return Fail(out error, "8-digit id has bit 0x80000000 (EFF) or 0x40000000 (RTR) set, which the log format never writes");
                if ((rawId & ErrorFlag) != 0)
                {
                    flags = CanFrameFlags.Error;
                    id = rawId & CanFrame.MaxExtendedId;
                }
                else
                {
                    flags = CanFrameFlags.Extended;
                    id = rawId;
                }
                break;
            case 5:
                return Fail(out error, "5-digit id: CAN XL frames are not supported");
            default:
                return Fail(out error, "id must have 3 (standard) or 8 (extended) hex digits");
        }

        frame.Id = id;
        frame.Len8Dlc = 0;
        frame.FdFlagsExtra = CanFdFlagsExtra.None;
        var rest = f[(hash + 1)..];
        if (!rest.IsEmpty && At(rest, 0) == '#')
            return TryParseFd(rest[1..], ref frame, flags, out error);
        if (!rest.IsEmpty && At(rest, 0) is 'R' or 'r')
            return TryParseRemote(rest[1..], ref frame, flags, out error);
        return TryParseClassic(rest, ref frame, flags, out error);
    }

    private static bool TryParseClassic<T>(ReadOnlySpan<T> rest, ref CanFrame frame, CanFrameFlags flags,
        [NotNullWhen(false)] out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (!TryParseData(rest, ref frame, CanFrame.MaxClassicLength, out int length, out int used, out error)) return false;
        frame.Flags = flags;
        frame.Length = (byte)length;
        if (used == rest.Length) { error = null; return true; }

        if (At(rest, used) != '_') return Fail(out error, "unexpected text after the frame data");
        if ((flags & CanFrameFlags.Error) != 0) return Fail(out error, "error frames have no len8_dlc suffix '_X'");
        if (length != CanFrame.MaxClassicLength) return Fail(out error, "len8_dlc suffix '_X' needs exactly 8 data bytes");
        return TryParseLen8Dlc(rest[(used + 1)..], ref frame, out error);
    }

    private static bool TryParseRemote<T>(ReadOnlySpan<T> afterR, ref CanFrame frame, CanFrameFlags flags,
        [NotNullWhen(false)] out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        if ((flags & CanFrameFlags.Error) != 0) return Fail(out error, "error frames cannot be remote frames");
        frame.Flags = flags | CanFrameFlags.Remote;
        frame.Length = 0;
        if (afterR.IsEmpty) { error = null; return true; }

        int digit = HexValue(At(afterR, 0));
        if (digit < 0) return Fail(out error, "remote frame cannot carry data: expected 'R' or 'R<length 0-8>'");
        if (digit > CanFrame.MaxClassicLength) return Fail(out error, "remote frame length must be 0-8");
        frame.Length = (byte)digit;
        if (afterR.Length == 1) { error = null; return true; }

        // can-utils writes "R8_X" for a remote frame whose raw DLC was 9..15.
        if (At(afterR, 1) == '_' && digit == CanFrame.MaxClassicLength)
            return TryParseLen8Dlc(afterR[2..], ref frame, out error);
        return Fail(out error, "remote frame cannot carry data: expected 'R' or 'R<length 0-8>'");
    }

    private static bool TryParseFd<T>(ReadOnlySpan<T> afterHashes, ref CanFrame frame, CanFrameFlags flags,
        [NotNullWhen(false)] out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        if ((flags & CanFrameFlags.Error) != 0) return Fail(out error, "error frames cannot be CAN FD frames ('##')");
        if (afterHashes.IsEmpty) return Fail(out error, "CAN FD frame has no flags digit after '##'");
        int fdFlags = HexValue(At(afterHashes, 0));
        if (fdFlags < 0)
        {
            return At(afterHashes, 0) is 'R' or 'r'
                ? Fail(out error, "CAN FD frames have no remote form")
                : Fail(out error, "CAN FD flags digit after '##' is not hexadecimal");
        }
        // Any digit: can-utils takes the whole nibble (bit 0 BRS, bit 1 ESI, bit 2 FDF, bit 3 undefined) and ORs in FDF.
        // What CanFrameFlags has no bit for is kept in FdFlagsExtra, so the writer can put the same digit back.
        var data = afterHashes[1..];
        if (!TryParseData(data, ref frame, CanFrame.MaxFdLength, out int length, out int used, out error)) return false;
        if (used != data.Length)
        {
            return At(data, used) == '_'
                ? Fail(out error, "len8_dlc suffix '_X' applies only to classic frames")
                : Fail(out error, "unexpected text after the frame data");
        }
        if (!CanFrame.IsValidFdLength(length)) return Fail(out error, "CAN FD data length must be 0-8, 12, 16, 20, 24, 32, 48 or 64 bytes");

        frame.Flags = flags | CanFrameFlags.Fd | FdFlagsDigit.Flags(fdFlags);
        frame.FdFlagsExtra = FdFlagsDigit.Extra(fdFlags);
        frame.Length = (byte)length;
        return true;
    }

    private static bool TryParseLen8Dlc<T>(ReadOnlySpan<T> afterUnderscore, ref CanFrame frame, [NotNullWhen(false)] out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (afterUnderscore.IsEmpty) return Fail(out error, "len8_dlc suffix '_' has no DLC digit");
        int dlc = HexValue(At(afterUnderscore, 0));
        if (dlc < 9) return Fail(out error, "len8_dlc must be a hex digit 9-F");
        if (afterUnderscore.Length != 1) return Fail(out error, "unexpected text after the len8_dlc suffix");
        frame.Len8Dlc = (byte)dlc;
        error = null;
        return true;
    }

    /// <summary>
    /// Reads hex byte pairs, each optionally preceded by one '.', until the text ends or a character that cannot start
    /// a byte; <paramref name="used"/> tells the caller where that was.
    /// </summary>
    private static bool TryParseData<T>(ReadOnlySpan<T> text, ref CanFrame frame, int maxLength, out int length, out int used,
        [NotNullWhen(false)] out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        Span<byte> payload = frame.Payload;
        length = 0;
        int i = 0;
        while (i < text.Length)
        {
            bool separated = At(text, i) == '.';
            int start = separated ? i + 1 : i;
            if (start >= text.Length) { used = i; return Fail(out error, "'.' in the data is not followed by a byte"); }
            int high = HexValue(At(text, start));
            if (high < 0)
            {
                used = i;
                if (separated || At(text, start) != '_') return Fail(out error, "data is not hexadecimal");
                error = null;
                return true; // a '_' suffix: the caller decides whether it is allowed
            }
            if (start + 1 >= text.Length) { used = i; return Fail(out error, "data has an odd number of hex digits"); }
            int low = HexValue(At(text, start + 1));
            if (low < 0)
            {
                used = i;
                return At(text, start + 1) is '.' or '_'
                    ? Fail(out error, "data has an odd number of hex digits")
                    : Fail(out error, "data is not hexadecimal");
            }
            if (length == maxLength)
            {
                used = i;
                return maxLength == CanFrame.MaxClassicLength
                    ? Fail(out error, "too many data bytes: a classic frame carries at most 8")
                    : Fail(out error, "too many data bytes: a CAN FD frame carries at most 64");
            }
            payload[length++] = (byte)((high << 4) | low);
            i = start + 2;
        }
        used = i;
        error = null;
        return true;
    }

    private static int At<T>(ReadOnlySpan<T> s, int index) where T : unmanaged, IBinaryInteger<T> =>
        int.CreateTruncating(s[index]);

    private static bool IsDigit(int c) => (uint)(c - '0') <= 9;

    private static bool IsBlank(int c) => c is ' ' or '\t';

    private static int HexValue(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    private static int Utf8Length<T>(ReadOnlySpan<T> s) where T : unmanaged, IBinaryInteger<T> =>
        typeof(T) == typeof(byte) ? s.Length : Encoding.UTF8.GetByteCount(MemoryMarshal.Cast<T, char>(s));

    /// <summary>C0 controls and DEL: no interface name has them, and they must not reach a terminal or the store.</summary>
    private static bool ContainsControl<T>(ReadOnlySpan<T> s) where T : unmanaged, IBinaryInteger<T>
    {
        foreach (var c in s)
        {
            if (int.CreateTruncating(c) is < 0x20 or 0x7F) return true;
        }
        return false;
    }

    private static int SkipBlanks<T>(ReadOnlySpan<T> s, int i) where T : unmanaged, IBinaryInteger<T>
    {
        while (i < s.Length && IsBlank(At(s, i))) i++;
        return i;
    }

    private static int SkipToken<T>(ReadOnlySpan<T> s, int i) where T : unmanaged, IBinaryInteger<T>
    {
        while (i < s.Length && !IsBlank(At(s, i))) i++;
        return i;
    }

    private static bool Fail([NotNull] out string? error, string reason)
    {
        error = reason;
        return false;
    }
}
