import { formatBytes, formatDuration, formatPercent } from '../../format.js';

function compact(value: number): string {
  const size = Math.abs(value);
  if (size >= 1e9) return `${(value / 1e9).toFixed(1)}G`;
  if (size >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (size >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (Number.isInteger(value)) return String(value);
  return size >= 100 ? value.toFixed(0) : value.toFixed(size >= 10 ? 1 : 2);
}

/** A metric value in its unit, short enough for a column: "7.2 GiB", "95.0 %", "420 ms", "3.5k req/s". */
export function formatMetricValue(value: number, unit: string): string {
  switch (unit) {
    case 'bytes':
      return formatBytes(value);
    case '%':
    case 'percent':
      return formatPercent(value);
    case 'seconds':
      return formatDuration(value * 1000);
    case 'bool':
      return value >= 0.5 ? 'true' : 'false';
    case 'count':
    case '':
      return compact(value);
    default:
      return `${compact(value)} ${unit}`;
  }
}

export function formatSigma(sigma: number | undefined): string {
  if (sigma === undefined) return '  ?σ';
  return `${sigma >= 0 ? '+' : '−'}${Math.abs(sigma).toFixed(1)}σ`;
}

/** A confidence (a fraction) in a narrow column: "82%". */
export function formatConfidence(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** Local "12:03:04" from an ISO time; the text itself when it is not one. */
export function formatClock(at: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}
