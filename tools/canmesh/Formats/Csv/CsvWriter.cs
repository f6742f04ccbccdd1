using System.Text;
using CanMesh.Frames;

namespace CanMesh.Cli.Formats.Csv;

/// <summary>
/// One frame per row under a header row, RFC 4180, for pandas (<c>pd.read_csv</c>) and spreadsheets:
/// <code>
/// seq,timestamp,interface,id,extended,remote,error,fd,brs,esi,dlc,data
/// 1,1700000000.000100,can0,0x123,0,0,0,0,0,0,3,11 22 33
/// </code>
/// timestamp: Unix seconds with 6 decimals, as candump (<c>pd.to_datetime(df.timestamp, unit="s")</c>).
/// id: hex with 0x, so no spreadsheet reads <c>1E5</c> as 100000 or drops leading zeros (<c>int(x, 16)</c> reads it);
/// for error frames, the error class bits. Flags are 0/1. dlc: the DLC on the wire (the requested length of a
/// remote frame, 9-15 for a classic frame sent with len8_dlc, the FD DLC code 0-15). data: hex bytes separated by
/// spaces, empty for remote frames.
/// </summary>
internal sealed class CsvWriter : IFrameLogWriter
{
    public const string Header = "seq,timestamp,interface,id,extended,remote,error,fd,brs,esi,dlc,data";

    private const int MaxFixedLength = 20 + 1 + 30 + 1 + 11 + 14 + 3 + 1 + 3 * CanFrame.MaxFdLength + 1;

    private readonly ByteOutput _out;
    private readonly Func<ushort, string> _interfaceName;
    private readonly Dictionary<ushort, byte[]> _names = [];

    public CsvWriter(Stream stream, ExportHeader header)
    {
        _out = new ByteOutput(stream);
        _interfaceName = header.InterfaceName;
        _out.Put(Header + "\n");
    }

    public void Write(ReadOnlySpan<CanFrame> frames, ReadOnlySpan<long> seqs)
    {
        for (var i = 0; i < frames.Length; i++) Write(in frames[i], seqs[i]);
    }

    private void Write(in CanFrame frame, long seq)
    {
        var name = NameOf(frame.InterfaceId);
        _out.Reserve(MaxFixedLength + name.Length);
        _out.Decimal(seq);
        _out.Put((byte)',');
        _out.Decimal(frame.TimestampNs / 1_000_000_000);
        _out.Put((byte)'.');
        _out.FixedDecimal(frame.TimestampNs % 1_000_000_000 / 1000, 6);
        _out.Put((byte)',');
        _out.Put(name);
        _out.Put(",0x"u8);
        _out.FixedHex(frame.Id, frame.IsExtended || frame.IsError ? 8 : 3);
        Flag(frame.IsExtended);
        Flag(frame.IsRemote);
        Flag(frame.IsError);
        Flag(frame.IsFd);
        Flag((frame.Flags & CanFrameFlags.BitRateSwitch) != 0);
        Flag((frame.Flags & CanFrameFlags.ErrorStateIndicator) != 0);
        _out.Put((byte)',');
        _out.Decimal(frame.Len8Dlc != 0 ? frame.Len8Dlc : frame.IsFd ? Asc.AscWriter.FdDlc(frame.Length) : frame.Length);
        _out.Put((byte)',');
        var data = frame.ReadOnlyData;
        for (var k = 0; k < data.Length; k++)
        {
            if (k > 0) _out.Put((byte)' ');
            _out.HexByte(data[k]);
        }
        _out.Put((byte)'\n');
    }

    private void Flag(bool set)
    {
        _out.Put((byte)',');
        _out.Put(set ? (byte)'1' : (byte)'0');
    }

    /// <summary>The interface name as a CSV field, quoted only if it holds a comma, quote or line break.</summary>
    private byte[] NameOf(ushort id)
    {
        if (_names.TryGetValue(id, out var bytes)) return bytes;
        var name = _interfaceName(id);
        if (name.AsSpan().IndexOfAny(",\"\r\n") >= 0) name = "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        bytes = Encoding.UTF8.GetBytes(name);
        _names[id] = bytes;
        return bytes;
    }

    public void Finish() => _out.Flush();

    public void Dispose() => _out.Dispose();
}
