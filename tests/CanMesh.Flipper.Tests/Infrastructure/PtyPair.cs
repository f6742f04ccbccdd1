using System.Diagnostics;
using System.Text;

namespace CanMesh.Flipper.Tests.Infrastructure;

/// <summary>
/// A pseudo-terminal pair made by socat, standing in for the UART: the service opens <see cref="PiEnd"/>, the fake
/// Flipper <see cref="FlipperEnd"/>. <see cref="Unplug"/> kills socat and removes both links (what pulling a USB
/// adapter does to its device node); <see cref="Plug"/> makes a fresh pair under the same paths.
/// </summary>
public sealed class PtyPair : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _log = new();
    private Process? _socat;

    public PtyPair(TempFolder folder, bool plugged = true)
    {
        FlipperEnd = folder.File("flipper");
        PiEnd = folder.File("pi");
        if (plugged) Plug();
    }

    /// <summary>The end the fake Flipper opens.</summary>
    public string FlipperEnd { get; }

    /// <summary>The end the service opens (its Flipper:Device).</summary>
    public string PiEnd { get; }

    /// <summary>socat's own messages, for failure reports.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    public void Plug()
    {
        if (_socat is not null) throw new InvalidOperationException("already plugged");
        RemoveLinks();
        var info = new ProcessStartInfo("socat")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-d", "-d", $"pty,raw,echo=0,link={FlipperEnd}", $"pty,raw,echo=0,link={PiEnd}"])
        {
            info.ArgumentList.Add(argument);
        }
        var socat = Process.Start(info) ?? throw new InvalidOperationException("socat did not start");
        socat.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        socat.BeginErrorReadLine();
        _socat = socat;
        var deadline = DateTime.UtcNow + StartTimeout;
        // File.Exists follows the links: true once the pty behind each exists.
        while (!(File.Exists(FlipperEnd) && File.Exists(PiEnd)))
        {
            if (socat.HasExited) throw new InvalidOperationException($"socat exited with {socat.ExitCode}:\n{Log}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"socat made no pty pair within {StartTimeout}:\n{Log}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Kills socat (no cleanup of its own) and removes the links: both ends are gone.</summary>
    public void Unplug()
    {
        if (_socat is null) return;
        if (!_socat.HasExited)
        {
            _socat.Kill();
            _socat.WaitForExit();
        }
        _socat.Dispose();
        _socat = null;
        RemoveLinks();
    }

    private void RemoveLinks()
    {
        // File.Delete removes a dangling link as well.
        File.Delete(FlipperEnd);
        File.Delete(PiEnd);
    }

    public void Dispose() => Unplug();
}
