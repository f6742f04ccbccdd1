using CanMesh.Frames;
using CanMesh.Protos.V1;
using Grpc.Core;
using CanMesh.Store;

namespace CanMesh.Capture.Api;

/// <summary>
/// A subscriber's or query's FrameFilter, compiled: interface names to a per-id table (interfaces
/// that appear later are looked up once), id ranges to a small array. No filter matches everything.
/// </summary>
internal sealed class FrameMatcher
{
    private readonly HashSet<string>? _interfaceNames;
    private readonly (uint Min, uint Max)[] _idRanges;
    private readonly InterfaceCatalog _catalog;
    private readonly Dictionary<ushort, bool> _interfaceVerdicts = [];

    private FrameMatcher(HashSet<string>? interfaceNames, (uint, uint)[] idRanges, InterfaceCatalog catalog)
    {
        _interfaceNames = interfaceNames;
        _idRanges = idRanges;
        _catalog = catalog;
    }

    public bool MatchesAll => _interfaceNames is null && _idRanges.Length == 0;

    /// <exception cref="RpcException">INVALID_ARGUMENT for an empty interface name or a reversed range.</exception>
    public static FrameMatcher Create(FrameFilter? filter, InterfaceCatalog catalog)
    {
        HashSet<string>? names = null;
        var ranges = new List<(uint, uint)>();
        if (filter is not null)
        {
            foreach (var name in filter.Interfaces)
            {
                if (string.IsNullOrWhiteSpace(name)) throw ApiErrors.InvalidArgument("filter.interfaces: an interface name is empty.");
                (names ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
            }
            for (var i = 0; i < filter.IdRanges.Count; i++)
            {
                var range = filter.IdRanges[i];
                if (range.Min > range.Max)
                {
                    throw ApiErrors.InvalidArgument($"filter.id_ranges[{i}]: min {range.Min:X} is above max {range.Max:X}.");
                }
                ranges.Add((range.Min, range.Max));
            }
        }
        return new FrameMatcher(names, [.. ranges], catalog);
    }

    public bool Matches(in CanFrame frame)
    {
        if (_interfaceNames is not null)
        {
            if (!_interfaceVerdicts.TryGetValue(frame.InterfaceId, out var ok))
            {
                ok = _interfaceNames.Contains(_catalog.NameOf(frame.InterfaceId));
                _interfaceVerdicts[frame.InterfaceId] = ok;
            }
            if (!ok) return false;
        }
        if (_idRanges.Length == 0) return true;
        foreach (var (min, max) in _idRanges)
        {
            if (frame.Id >= min && frame.Id <= max) return true;
        }
        return false;
    }
}
