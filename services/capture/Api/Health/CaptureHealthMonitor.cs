using CanMesh.Capture.Configuration;
using CanMesh.Capture.Hosting;
using CanMesh.Capture.Pipeline;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Api.Health;

/// <summary>
/// Keeps grpc.health.v1 truthful: checks the capture every <see cref="CheckInterval"/> and sets the
/// status of the server ("") and of canmesh.v1.Capture, NOT_SERVING with a log line saying why when
/// the writer has failed or is stuck or every source has ended, and at once when the service starts
/// stopping. Logs each change, not each check.
/// </summary>
internal sealed partial class CaptureHealthMonitor : BackgroundService
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly HealthServiceImpl _health;
    private readonly Func<CapturePipeline?> _pipeline;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly TimeSpan _stallTimeout;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private CaptureHealth? _published;

    public CaptureHealthMonitor(HealthServiceImpl health, CaptureService capture, CaptureSettings settings, IHostApplicationLifetime lifetime,
        TimeProvider time, ILogger<CaptureHealthMonitor> logger)
        : this(health, () => capture.Pipeline, settings.Api.HealthStallTimeout, lifetime, time, logger)
    {
    }

    /// <param name="pipeline">The running pipeline, or null while the capture starts.</param>
    internal CaptureHealthMonitor(HealthServiceImpl health, Func<CapturePipeline?> pipeline, TimeSpan stallTimeout, IHostApplicationLifetime lifetime,
        TimeProvider time, ILogger logger)
    {
        _health = health;
        _pipeline = pipeline;
        _lifetime = lifetime;
        _time = time;
        _stallTimeout = stallTimeout;
        _logger = logger;
        Publish(CaptureHealth.Starting);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = _lifetime.ApplicationStopping.Register(() => Publish(CaptureHealth.Stopping));
        using var timer = new PeriodicTimer(CheckInterval, _time);
        try
        {
            do
            {
                if (_lifetime.ApplicationStopping.IsCancellationRequested) return;
                CheckNow();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Checks the capture and publishes the verdict (the loop does this every <see cref="CheckInterval"/>).</summary>
    internal CaptureHealth CheckNow()
    {
        var pipeline = _pipeline();
        var health = pipeline is null ? CaptureHealth.Starting : CaptureHealth.Of(pipeline, _time, _stallTimeout);
        Publish(health);
        return health;
    }

    private void Publish(CaptureHealth health)
    {
        lock (_lock)
        {
            // Stopping is final: a check that raced the stop must not flip it back.
            if (_published == CaptureHealth.Stopping || _published == health) return;
            var status = health.Serving ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing;
            _health.SetStatus("", status);
            _health.SetStatus(CaptureApi.ServiceName, status);
            if (health.Serving) LogServing(_logger, health.Reason);
            else if (health != CaptureHealth.Starting) LogNotServing(_logger, health.Reason);
            _published = health;
        }
    }

    [LoggerMessage(EventId = 1, EventName = "HealthServing", Level = LogLevel.Information, Message = "Health: SERVING ({Reason}).")]
    private static partial void LogServing(ILogger logger, string reason);

    [LoggerMessage(EventId = 2, EventName = "HealthNotServing", Level = LogLevel.Warning, Message = "Health: NOT_SERVING: {Reason}.")]
    private static partial void LogNotServing(ILogger logger, string reason);
}
