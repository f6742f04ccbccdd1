using System.CommandLine;
using System.Globalization;

namespace CanMesh.Cli;

/// <summary>
/// A whole-number option (--count, --after-seq) read as text and parsed by the verb, so "--count abc" is one plain
/// line and exit code 2 rather than the parser's message about System.Nullable`1[System.Int64] and its help screen.
/// </summary>
internal static class WholeNumberOption
{
    public static Option<string?> Create(string name, string alias, string description, string helpName) =>
        alias.Length > 0 ? new(name, alias) { Description = description, HelpName = helpName } : new(name) { Description = description, HelpName = helpName };

    /// <summary>Null when the option is absent; false with one line when it is not a whole number of at least <paramref name="minimum"/>.</summary>
    public static bool TryGet(ParseResult parse, Option<string?> option, ulong minimum, out ulong? value, out string error)
    {
        value = null;
        error = "";
        if (parse.GetValue(option) is not { } text) return true;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < minimum)
        {
            error = $"{option.Name}: '{text}' is not a whole number of at least {minimum}";
            return false;
        }
        value = number;
        return true;
    }
}
