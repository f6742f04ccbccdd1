using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CanMesh.Testing;

/// <summary>
/// A temp folder for one test's database, socket, logs and configuration, deleted afterwards. Its path
/// is short: a Unix socket path may have at most 107 bytes.
/// </summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cm-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public string Database => File("capture.db");
    public string Socket => File("capture.sock");

    /// <summary>Runs a query with Microsoft.Data.Sqlite, independent of the store's own reader.</summary>
    public List<object?[]> Query(string sql, string? database = null)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={database ?? Database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public long Scalar(string sql) => Convert.ToInt64(Query(sql)[0][0] ?? 0L, CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
