namespace NasHpo.Core.Workloads;

/// <summary>
/// One intermediate report of a running trial: its x (an epoch or step, else the report's position from 1) and the
/// values reported there (each epoch's validation error, say). A trial's learning curve is its reports in order.
/// </summary>
internal sealed record CurvePoint(double Step, IReadOnlyDictionary<string, double> Values);
