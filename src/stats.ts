/**
 * The few statistics firedrill computes over samples (drill baselines, detection times, probe
 * latencies): one definition each, so that "median" means the same thing in every report.
 * Values that are not finite are ignored; an empty input gives null.
 */

function finiteSorted(values: readonly number[]): number[] {
  return values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
}

/** The middle value; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}

/**
 * The p-th percentile (0 to 100) with linear interpolation between the closest ranks (the method
 * of numpy's default and of most monitoring tools): percentile([1, 2, 3, 4], 50) is 2.5.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new RangeError(`percentile: p must be within 0 and 100, got ${p}`);
  const sorted = finiteSorted(values);
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

export function mean(values: readonly number[]): number | null {
  let sum = 0;
  let count = 0;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    sum += value;
    count += 1;
  }
  return count === 0 ? null : sum / count;
}
