using System.Globalization;

namespace CanMesh.Bench.Capture;

/// <summary>CPU time of the calling thread, from /proc/thread-self/stat (clock ticks, usually 10 ms).</summary>
internal static class ThreadCpu
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

    public static double Seconds()
    {
        try
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            // The name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: state is field 3, utime field 14, stime field 15.
            var user = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var system = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (user + system) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
