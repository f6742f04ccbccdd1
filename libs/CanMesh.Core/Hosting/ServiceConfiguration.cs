using CanMesh.Configuration;
using Microsoft.Extensions.Configuration;

namespace CanMesh.Hosting;

/// <summary>
/// Where every CanMesh service reads its configuration from, in order of precedence: environment
/// variables with the CANMESH_ prefix and "__" for nesting (CANMESH_STORE__PATH), then the JSON file
/// given with --config.
/// </summary>
public static class ServiceConfiguration
{
    /// <exception cref="ConfigurationException">The file is missing or not valid JSON.</exception>
    public static IConfigurationRoot Build(string? configPath, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configPath is not null)
        {
            var full = Path.GetFullPath(configPath);
            if (!File.Exists(full))
            {
                throw new ConfigurationException([$"--config {configPath}: no such file ({full}). Give the path of a JSON configuration file."]);
            }
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(SettingsReader.EnvironmentPrefix);
        if (overrides is not null) builder.AddInMemoryCollection(overrides);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException error)
        {
            throw new ConfigurationException([$"--config {configPath}: not valid JSON: {error.Message}"]);
        }
        catch (FormatException error)
        {
            throw new ConfigurationException([$"--config {configPath}: not valid JSON: {error.Message}"]);
        }
    }

    /// <summary>The folder relative paths in the configuration are taken from: the config file's own folder.</summary>
    public static string BaseDirectory(string? configPath) =>
        configPath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(configPath))!;
}
