using System.CommandLine;
using CanMesh.Configuration;

namespace CanMesh.Cli;

/// <summary>
/// A duration option written as in the services' configuration (250ms, 3s, 1m, or plain seconds). Read as text
/// and parsed by the verb, so a bad value is one line and exit code 2 (see <see cref="CaptureVerb.BadUsage"/>).
/// </summary>
internal static class DurationOption
{
    public static Option<string> Create(string name, string description, string defaultValue) => new(name)
    {
        Description = $"{description} (250ms, 3s, 1m; default {defaultValue}).",
        HelpName = "DURATION",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>The value of <paramref name="option"/>, or false with one line saying what is wrong.</summary>
    public static bool TryGet(ParseResult parse, Option<string> option, TimeSpan minimum, out TimeSpan value, out string error)
    {
        var text = parse.GetValue(option);
        error = "";
        if (!DurationText.TryParse(text, out value, out var problem))
        {
            error = $"{option.Name}: {problem}";
            return false;
        }
        if (value < minimum)
        {
            error = $"{option.Name}: {DurationText.Format(value)} is too short; at least {DurationText.Format(minimum)}";
            return false;
        }
        return true;
    }
}
