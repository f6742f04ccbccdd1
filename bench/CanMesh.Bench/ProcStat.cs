using System.Globalization;

namespace CanMesh.Bench;

/// <summary>
/// A child process's CPU time and memory from /proc, for the benchmarks that run the real services as child
/// processes: their own figures, not the benchmark's.
/// </summary>
internal static class ProcStat
{
    /// <summary>Linux reports utime and stime in USER_HZ ticks, 100 per second on every architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds (user + system, all threads) used so far; NaN once the process is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>Resident memory now (VmRSS) in bytes, 0 if unknown.</summary>
    public static long ResidentBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    /// <summary>
    /// The anonymous part of the resident memory (RssAnon: heaps, stacks) in bytes, 0 if unknown. The rest of VmRSS is
    /// file pages (code, and SQLite's memory-mapped database) and shared memory (SQLite's WAL index), which the kernel
    /// can take back.
    /// </summary>
    public static long AnonymousResidentBytes(int pid) => StatusKilobytes(pid, "RssAnon:") * 1024;

    /// <summary>Peak resident memory (VmHWM) in bytes, 0 if unknown.</summary>
    public static long PeakResidentBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    private static long StatusKilobytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
