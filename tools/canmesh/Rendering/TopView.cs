using System.Globalization;
using System.Text;
using CanMesh.Cli.Live;
using Spectre.Console;

namespace CanMesh.Cli.Rendering;

/// <summary>
/// top's table, one row per (interface, id): count, recent rate, length and the last payload, bytes that changed in
/// the last seconds highlighted (cansniffer's idea). In a pipe the same table without colour.
/// </summary>
internal static class TopView
{
    private static readonly Style Changed = new(Color.Red, decoration: Decoration.Bold);

    public static Table Render(IdActivity activity, string caption)
    {
        var table = Terminal.NewTable("canmesh top")
            .AddColumn("iface").AddColumn("id", c => c.RightAligned()).AddColumn("count", c => c.RightAligned())
            .AddColumn("rate/s", c => c.RightAligned()).AddColumn("len", c => c.RightAligned()).AddColumn("data");
        table.Caption = new TableTitle(caption);
        foreach (var row in activity.Rows())
        {
            table.AddRow(
                new Markup(Markup.Escape(row.Interface)),
                new Markup(row.Extended ? row.Id.ToString("X8", CultureInfo.InvariantCulture) : row.Id.ToString("X3", CultureInfo.InvariantCulture)),
                new Markup(Numbers.Count(row.Count)),
                new Markup(Numbers.Rate(row.Rate())),
                new Markup(row.Length.ToString(CultureInfo.InvariantCulture)),
                new Markup(DataMarkup(row)));
        }
        return table;
    }

    private static string DataMarkup(IdRow row)
    {
        if ((row.Flags & CanMesh.Frames.CanFrameFlags.Remote) != 0) return "(remote)";
        var data = row.Data;
        var text = new StringBuilder(data.Length * 3 + 16);
        for (var i = 0; i < data.Length; i++)
        {
            if (i > 0) text.Append(' ');
            var hex = data[i].ToString("X2", CultureInfo.InvariantCulture);
            if (row.Changed(i)) text.Append('[').Append(Changed.ToMarkup()).Append(']').Append(hex).Append("[/]");
            else text.Append(hex);
        }
        return text.ToString();
    }
}
