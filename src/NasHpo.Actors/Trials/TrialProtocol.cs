using NasHpo.Core.Optimizers;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Trials;

/// <summary>A trial got its device and is running.</summary>
internal sealed record TrialStartedOnDevice(TrialId Trial, string DeviceName);

/// <summary>A trial ended; objectives in the user's directions, or the reason it failed.</summary>
internal sealed record TrialFinished(TrialId Trial, WorkloadResult? Result, string? FailureReason, TimeSpan Duration, string DeviceName);

/// <summary>A running trial made progress.</summary>
internal sealed record TrialProgressed(TrialId Trial, WorkloadProgress Progress, string DeviceName);
