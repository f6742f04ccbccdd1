using System.Text.RegularExpressions;

namespace CanMesh.Capture.Api;

/// <summary>
/// What a subscriber may be called: the same rule wherever the API takes a name, so a name Subscribe
/// accepts can always be removed, and one it refuses is refused everywhere with the same words.
/// </summary>
internal static partial class SubscriberNames
{
    /// <param name="field">The request field, as the client wrote it (start.subscriber).</param>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT, saying what a name may hold.</exception>
    public static void ThrowIfInvalid(string name, string field)
    {
        if (!Valid().IsMatch(name))
        {
            throw ApiErrors.InvalidArgument($"{field} '{name}' is not a valid name: use 1-64 characters of A-Z, a-z, 0-9, '_', '.', '-'.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex Valid();
}
