using CanMesh.Frames;

namespace CanMesh.Cli.Offline;

/// <summary>
/// Which frames an export takes: seq bounds, time bounds (both inclusive; --from and --to may mix a seq and a
/// time), interface names and ids. Everything but the bounds a source can use to narrow its reads is checked
/// here, per frame.
/// </summary>
internal sealed class ExportSelection
{
    public long FromSeq { get; init; } = 1;
    public long ToSeq { get; init; } = long.MaxValue;
    public long FromNs { get; init; } = long.MinValue;
    public long ToNs { get; init; } = long.MaxValue;
    public IReadOnlyList<string> Interfaces { get; init; } = [];
    public IdFilter? Ids { get; init; }

    public bool HasTimeBounds => FromNs != long.MinValue || ToNs != long.MaxValue;

    public static ExportSelection Create(RangeBound? from, RangeBound? to, IReadOnlyList<string> interfaces, IdFilter? ids) => new()
    {
        FromSeq = from?.Seq ?? 1,
        ToSeq = to?.Seq ?? long.MaxValue,
        FromNs = from?.TimeNs ?? long.MinValue,
        ToNs = to?.TimeNs ?? long.MaxValue,
        Interfaces = interfaces,
        Ids = ids,
    };

    /// <summary>Null when the bounds can select something; otherwise why not.</summary>
    public string? Problem() =>
        FromSeq > ToSeq ? $"--from seq {FromSeq} is above --to seq {ToSeq}."
        : FromNs > ToNs ? "--from is a later time than --to."
        : null;

    /// <summary>The per-frame checks: time, id and (through <paramref name="interfaceSelected"/>) interface.</summary>
    public bool Matches(in CanFrame frame, long seq, Func<ushort, bool> interfaceSelected) =>
        seq >= FromSeq && seq <= ToSeq
        && frame.TimestampNs >= FromNs && frame.TimestampNs <= ToNs
        && (Ids is null || Ids.Matches(frame.Id))
        && (Interfaces.Count == 0 || interfaceSelected(frame.InterfaceId));
}
