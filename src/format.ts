/**
 * How firedrill writes bytes, durations and percentages, everywhere (console, drill summaries,
 * reports, history, API and monitoring messages): one rule each, so that the same quantity reads
 * the same on every screen ("1.0 GiB", "2.4 s", "75.0 %").
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** Binary units, one decimal from KiB up: "512 B", "1.5 KiB", "1.0 GiB". Not finite: "-". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  // Compare against the rounded value, so that 1023.96 KiB becomes "1.0 MiB" rather than "1024.0 KiB".
  while (unit < BYTE_UNITS.length - 1 && (unit === 0 ? value : Number(value.toFixed(1))) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${sign}${unit === 0 ? Math.round(value) : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/**
 * A duration given in milliseconds: "420 ms" under a second, "2.4 s" under a minute, "3 min 05 s"
 * under an hour, then "2 h 07 min". null or not finite: "-".
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** A percentage given in percent (not a fraction): "75.0 %". null or not finite: "-". */
export function formatPercent(percent: number | null, digits = 1): string {
  if (percent === null || !Number.isFinite(percent)) return '-';
  return `${percent.toFixed(digits)} %`;
}

/**
 * One named figure (a drill's `measured`, a session's `figures`) in its unit, told by the name's
 * ending: `...Bytes` as bytes, `...Ms` as a duration, a name with `Percent` as a percentage; other
 * numbers as they are, with one decimal when not whole.
 */
/** Abbreviations kept in capitals when a figure's name is read out: `mttrMs` -> "MTTR". */
const FIGURE_ACRONYMS = new Set(['mttr', 'mttd', 'pss', 'rss', 'cpu', 'llm', 'api', 'http', 'tcp', 'id']);

/**
 * A figure's name as a reader says it, its unit left to formatFigure: `faultTolerancePercent` ->
 * "fault tolerance", `mttrMs` -> "MTTR", `peakPssBytes` -> "peak PSS".
 */
export function figureLabel(name: string): string {
  const stem = name.replace(/(Bytes|Ms|Percent)$/, '') || name;
  return stem
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter((word) => word.length > 0)
    .map((word) => {
      const lower = word.toLowerCase();
      if (FIGURE_ACRONYMS.has(lower)) return lower.toUpperCase();
      return lower;
    })
    .join(' ');
}

export function formatFigure(name: string, value: string | number | boolean | null): string {
  if (typeof value !== 'number') return String(value);
  if (/Bytes$/.test(name)) return formatBytes(value);
  if (/Ms$/.test(name)) return formatDuration(value);
  if (/Percent/.test(name)) return formatPercent(value);
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
