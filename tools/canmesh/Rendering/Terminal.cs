using System.Text;
using CanMesh.Cli.Live;
using Spectre.Console;

namespace CanMesh.Cli.Rendering;

/// <summary>
/// The Spectre console for standard output. When output goes to a pipe or a file (scripts, tests, `| less`), no
/// ANSI sequences, no colours, plain ASCII table borders and a wide page, so tables neither wrap nor carry escape
/// codes into grep and awk; live views and prompts are for terminals only.
/// </summary>
internal static class Terminal
{
    /// <summary>Width of a table written to a pipe: wide enough for every column of status.</summary>
    private const int RedirectedWidth = 200;

    public static bool OutputIsTerminal => !Console.IsOutputRedirected;

    public static bool InputIsTerminal => !Console.IsInputRedirected;

    public static IAnsiConsole Create()
    {
        if (OutputIsTerminal) return AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            // A writer that notices a closed pipe (status --watch | head ends instead of writing into nothing).
            Out = new AnsiConsoleOutput(new StreamWriter(StandardOutput.Open(), new UTF8Encoding(false)) { AutoFlush = true }),
        });
        console.Profile.Width = RedirectedWidth;
        return console;
    }

    /// <summary>Table borders: drawn on a terminal, plain ASCII in a pipe (Spectre picks box drawing whenever the encoding is UTF-8).</summary>
    public static TableBorder TableBorder => OutputIsTerminal ? TableBorder.Rounded : TableBorder.Ascii;

    /// <summary>A table titled <paramref name="title"/> with the border for this output.</summary>
    public static Table NewTable(string title) => new() { Title = new TableTitle(title), Border = TableBorder };
}
