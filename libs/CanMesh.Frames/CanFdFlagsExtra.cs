namespace CanMesh.Frames;

/// <summary>
/// The bits of a CAN FD frame's flags nibble (the digit after <c>##</c> in a candump log, the low nibble of
/// <c>canfd_frame.flags</c>) that <see cref="CanFrameFlags"/> does not express. can-utils reads and writes the whole
/// nibble, so a log from another tool can carry any of the 16 digits; keeping these bits lets such a log be stored
/// and exported byte-identical.
/// </summary>
/// <remarks>
/// The canonical digit of an FD frame is FDF (4) plus BRS (1) and ESI (2) from <see cref="CanFrameFlags"/>, which is
/// what candump writes on a current kernel. Each value here is the nibble bit that differs from that canonical digit,
/// so the digit is <c>canonical ^ extra</c> and <c>None</c> (the default, and what every other source produces) is
/// the canonical form. Stored in bits 12-15 of the store's flags column: the values are part of the on-disk format.
/// </remarks>
[Flags]
public enum CanFdFlagsExtra : byte
{
    None = 0,

    /// <summary>
    /// The digit had FDF (0x4) clear, as a kernel or can-utils older than the FDF bit writes it (<c>##1</c> for BRS).
    /// It says nothing about the frame (every <c>##</c> frame is CAN FD); it only decides how the digit is written.
    /// </summary>
    FdfClear = 0x4,

    /// <summary>Bit 0x8 of the digit: no meaning in the kernel or can-utils today, kept as read.</summary>
    Bit3 = 0x8,
}
