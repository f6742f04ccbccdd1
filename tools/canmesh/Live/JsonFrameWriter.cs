using System.Buffers;
using System.Globalization;
using System.Text.Json;
using CanMesh.Client.Decoding;
using CanMesh.Frames;

namespace CanMesh.Cli.Live;

/// <summary>
/// dump --format json: one JSON object per line (JSON Lines), for jq and scripts:
/// <c>{"seq":42,"ts_ns":1700000000123456789,"ts":1700000000.123456,"iface":"can0","id":"123","flags":["fd","brs"],"len":8,"data":"DEADBEEF00000000"}</c>.
/// <c>id</c> is hex as candump writes it (3 digits, or 8 for extended and error frames); <c>ts</c> is the candump
/// timestamp (seconds, six decimals) and <c>ts_ns</c> the exact one; <c>flags</c> lists extended, remote, error, fd,
/// brs, esi where set; <c>len8_dlc</c> appears only for the rare classic DLC 9-15.
/// </summary>
internal sealed class JsonFrameWriter : IFrameWriter
{
    private readonly Stream _output;
    private readonly IReadOnlyDictionary<uint, string> _interfaces;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;

    public JsonFrameWriter(Stream output, IReadOnlyDictionary<uint, string> interfaces)
    {
        _output = output;
        _interfaces = interfaces;
        _json = new Utf8JsonWriter(_buffer);
    }

    public void Write(DecodedFrameBatch batch, int count)
    {
        var frames = batch.Frames;
        var seqs = batch.Seqs;
        for (var i = 0; i < count; i++) WriteLine(in frames[i], seqs[i]);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _output.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _buffer.ResetWrittenCount();
    }

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync().ConfigureAwait(false);
    }

    private void WriteLine(in CanFrame frame, ulong seq)
    {
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteNumber("seq", seq);
        _json.WriteNumber("ts_ns", frame.TimestampNs);
        var seconds = Math.DivRem(frame.TimestampNs, 1_000_000_000, out var nanos);
        _json.WritePropertyName("ts");
        _json.WriteRawValue(string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanos / 1000:D6}"), skipInputValidation: true);
        _json.WriteString("iface", _interfaces[frame.InterfaceId]);
        _json.WriteString("id", frame.IsExtended || frame.IsError ? frame.Id.ToString("X8", CultureInfo.InvariantCulture) : frame.Id.ToString("X3", CultureInfo.InvariantCulture));
        _json.WriteStartArray("flags");
        if (frame.IsExtended) _json.WriteStringValue("extended");
        if (frame.IsRemote) _json.WriteStringValue("remote");
        if (frame.IsError) _json.WriteStringValue("error");
        if (frame.IsFd) _json.WriteStringValue("fd");
        if ((frame.Flags & CanFrameFlags.BitRateSwitch) != 0) _json.WriteStringValue("brs");
        if ((frame.Flags & CanFrameFlags.ErrorStateIndicator) != 0) _json.WriteStringValue("esi");
        _json.WriteEndArray();
        _json.WriteNumber("len", frame.Length);
        if (frame.Len8Dlc != 0) _json.WriteNumber("len8_dlc", frame.Len8Dlc);
        _json.WriteString("data", Convert.ToHexString(frame.ReadOnlyData));
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n"u8);
    }
}
