using CanMesh.Frames;

namespace CanMesh.Candump;

/// <summary>
/// The CAN FD flags digit after <c>##</c> (the low nibble of <c>canfd_frame.flags</c>) and how it maps onto
/// <see cref="CanFrameFlags"/> plus <see cref="CanFdFlagsExtra"/>: one place, so parser and formatter cannot disagree.
/// Every digit 0-F maps to exactly one (flags, extra) pair and back.
/// </summary>
internal static class FdFlagsDigit
{
    private const int Brs = 0x1, Esi = 0x2, Fdf = 0x4;

    /// <summary>The BRS and ESI flags a digit carries.</summary>
    public static CanFrameFlags Flags(int digit) =>
        ((digit & Brs) != 0 ? CanFrameFlags.BitRateSwitch : 0) | ((digit & Esi) != 0 ? CanFrameFlags.ErrorStateIndicator : 0);

    /// <summary>The digit's bits that differ from the canonical digit of the same BRS/ESI (FDF set, bit 3 clear).</summary>
    public static CanFdFlagsExtra Extra(int digit) => (CanFdFlagsExtra)((digit ^ Fdf) & ~(Brs | Esi));

    /// <summary>The digit to write: FDF, BRS and ESI as candump writes them on a current kernel, then the kept bits.</summary>
    public static int Of(CanFrameFlags flags, CanFdFlagsExtra extra) =>
        (Fdf
         | ((flags & CanFrameFlags.BitRateSwitch) != 0 ? Brs : 0)
         | ((flags & CanFrameFlags.ErrorStateIndicator) != 0 ? Esi : 0))
        ^ (int)extra;

    /// <summary>Whether <paramref name="extra"/> holds only bits a digit can have beyond BRS/ESI.</summary>
    public static bool IsValidExtra(CanFdFlagsExtra extra) =>
        (extra & ~(CanFdFlagsExtra.FdfClear | CanFdFlagsExtra.Bit3)) == 0;
}
