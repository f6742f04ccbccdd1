using System.Text;

namespace CanMesh.Rpc;

/// <summary>
/// grpc-message is percent-encoded UTF-8: bytes outside 0x20..0x7E and '%' itself become %XX,
/// because HTTP/2 header values must stay printable ASCII.
/// </summary>
public static class GrpcStatusMessage
{
    public static string Encode(string message)
    {
        if (!NeedsEncoding(message))
        {
            return message;
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(message);
        var encoded = new StringBuilder(utf8.Length * 3);
        foreach (byte b in utf8)
        {
            if (IsUnreserved(b))
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    /// <summary>Lenient like the reference implementations: a malformed escape is kept as text, never an error.</summary>
    public static string Decode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length
                && TryHex(value[i + 1], out int high) && TryHex(value[i + 2], out int low))
            {
                bytes.Add((byte)((high << 4) | low));
                i += 2;
            }
            else
            {
                // Header values are ASCII; anything else would already have been rejected by HTTP/2.
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool NeedsEncoding(string message)
    {
        foreach (char c in message)
        {
            if (c > 0x7E || !IsUnreserved((byte)c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnreserved(byte b) => b is >= 0x20 and <= 0x7E && b != (byte)'%';

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
