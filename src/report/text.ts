import type { Detection, DrillName, DrillResult, Measured, MonitorEvent, RunEvent, RunReport } from '../drills/types.js';
import { formatFigure } from '../format.js';
import { sanitizeStrings } from '../text/sanitize.js';

/**
 * The run as text, line by line while it happens, in the shape of the original mythos-test output:
 * a header, one "[TEST] ..." block per drill, then the summary. Colour only on a terminal and
 * never when NO_COLOR is set (https://no-color.org).
 */

export const DEFAULT_DRILL_TITLES: Record<DrillName, string> = {
  cpu_spike: 'CPU Spike',
  memory_pressure: 'Memory Pressure',
  disk_fill: 'Disk Fill',
  service_restart: 'Service Restart',
  process_spawn: 'Process Spawn',
};

export interface TextReportOptions {
  color: boolean;
  /** Titles for the "[TEST] ..." lines; default DEFAULT_DRILL_TITLES. */
  titles?: Partial<Record<DrillName, string>>;
  /**
   * At most one progress line per this many ms (default 5000): a drill may report every chunk it
   * allocates, and a cron log wants a few lines, not hundreds. The latest one held back is printed
   * before the next line of another kind.
   */
  progressIntervalMs?: number;
  now?: () => number;
}

/** Colour when the stream is a terminal and NO_COLOR is unset or empty. */
export function shouldUseColor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return (stream as NodeJS.WriteStream).isTTY === true;
}

const RULE = '='.repeat(60);
const THIN_RULE = '-'.repeat(60);

interface Paint {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

function painter(color: boolean): Paint {
  const wrap = (open: number, close: number) => (text: string) => (color ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

/** Turns RunEvents into the lines to print, as they come. */
export class TextReporter {
  private readonly paint: Paint;
  private readonly titles: Record<DrillName, string>;
  private running: DrillName | null = null;
  private readonly progressIntervalMs: number;
  private readonly now: () => number;
  private lastProgressAt = Number.NEGATIVE_INFINITY;
  private heldProgress: string | undefined;

  constructor(options: TextReportOptions) {
    this.paint = painter(options.color);
    this.titles = { ...DEFAULT_DRILL_TITLES, ...options.titles };
    this.progressIntervalMs = options.progressIntervalMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /** The lines this event adds to the report (often none: samples are not printed). */
  lines(raw: RunEvent): string[] {
    if (raw.type === 'sample') return [];
    // Drill messages carry names and paths from the config file: sanitised before colours are added.
    const event = sanitizeStrings(raw);
    if (event.type === 'drill-progress') return this.progress(event.message);
    const lines = this.linesOf(event);
    if (lines.length === 0 || this.heldProgress === undefined) return lines;
    const held = this.heldProgress;
    this.heldProgress = undefined;
    return [held, ...lines];
  }

  private progress(message: string): string[] {
    const at = this.now();
    if (at - this.lastProgressAt < this.progressIntervalMs) {
      this.heldProgress = message;
      return [];
    }
    this.lastProgressAt = at;
    this.heldProgress = undefined;
    return [message];
  }

  private linesOf(event: Exclude<RunEvent, { type: 'drill-progress' }>): string[] {
    const { paint } = this;
    switch (event.type) {
      case 'run-started':
        return [
          RULE,
          paint.bold('firedrill: local event drills'),
          RULE,
          `Machine: ${event.machine}`,
          `Run ID: ${event.runId}`,
          `Started: ${event.startedAt}`,
          `Drills: ${event.drills.join(', ')}`,
          RULE,
        ];
      case 'sample':
        return [];
      case 'drill-started':
        this.running = event.drill;
        this.lastProgressAt = Number.NEGATIVE_INFINITY;
        return ['', paint.bold(`[TEST] ${this.titles[event.drill]}`), THIN_RULE];
      case 'monitor-event':
        return event.drill === null ? [paint.dim(`Monitor: ${describeEvent(event.event)} (before any drill)`)] : [paint.yellow(`Event: ${describeEvent(event.event)}`)];
      case 'detection':
        return [];
      case 'drill-finished':
        this.running = null;
        return this.resultLines(event.result, false);
      case 'settling':
        return [paint.dim(event.message)];
      case 'notice':
        return [event.level === 'warn' ? paint.yellow(event.message) : event.message];
      case 'run-finished':
        return this.summaryLines(event.report);
      default:
        return assertNever(event);
    }
  }

  /** When a run was interrupted: the lines that say so (call before printing the partial summary). */
  interruptedLines(reason: string): string[] {
    this.heldProgress = undefined;
    const during = this.running ? ` during ${this.titles[this.running]}; that drill was stopped and is not in the results` : '';
    this.running = null;
    return ['', this.paint.red(`Interrupted (${reason})${during}.`)];
  }

  private resultLines(result: DrillResult, withTitle: boolean): string[] {
    const { paint } = this;
    const lines = withTitle ? ['', paint.bold(`[TEST] ${this.titles[result.test]}`), THIN_RULE] : [];
    if (result.summary) lines.push(result.summary);
    const measured = formatMeasured(result.measured);
    if (measured) lines.push(`Measured: ${measured}`);
    if (result.error && !result.summary.includes(result.error)) lines.push(paint.red(`Error: ${result.error}`));
    lines.push(`Status: ${result.success ? paint.green('✓ PASS') : paint.red('✗ FAIL')}`);
    lines.push(`Events triggered: ${result.eventsTriggered}${result.events.length > 0 ? ` (${result.events.map((event) => event.type).join(', ')})` : ''}`);
    for (const detection of result.detection ?? []) lines.push(describeDetection(detection, paint));
    return lines;
  }

  private summaryLines(report: RunReport): string[] {
    const { paint } = this;
    const { summary } = report;
    return [
      '',
      RULE,
      paint.bold('TEST SUMMARY'),
      RULE,
      `Total Tests: ${summary.total}`,
      `Passed: ${summary.passed > 0 ? paint.green(String(summary.passed)) : summary.passed}`,
      `Failed: ${summary.failed > 0 ? paint.red(String(summary.failed)) : summary.failed}`,
      `Events Triggered: ${summary.eventsTriggered}`,
      `Finished: ${report.finishedAt}`,
      RULE,
    ];
  }

  /** A finished report, all at once (for showing a stored run again). */
  whole(report: RunReport): string[] {
    const lines = this.lines({
      type: 'run-started',
      runId: report.runId,
      machine: report.machine,
      startedAt: report.startedAt,
      drills: report.results.map((result) => result.test),
    });
    for (const result of report.results) lines.push(...this.resultLines(result, true));
    lines.push(...this.summaryLines(report));
    return lines;
  }
}

/** A whole finished report as text, ending with a newline. */
export function formatTextReport(report: RunReport, options: TextReportOptions): string {
  return `${new TextReporter(options).whole(report).join('\n')}\n`;
}

export function describeEvent(event: MonitorEvent): string {
  return event.detail ? `${event.type}: ${event.detail}` : `${event.type} (${event.value})`;
}

function describeDetection(detection: Detection, paint: Paint): string {
  const label = `Detection (${detection.source}): `;
  if (detection.error) return paint.yellow(`${label}${detection.summary} (${detection.error})`);
  return detection.detected ? paint.green(`${label}${detection.summary}`) : paint.red(`${label}${detection.summary}`);
}

/** "cpuPercentPeak 97.2 %, workers 2, targetBytes 128.0 MiB" */
export function formatMeasured(measured: Measured): string {
  return Object.entries(measured)
    .map(([key, value]) => `${key} ${formatFigure(key, value)}`)
    .join(', ');
}

function assertNever(value: never): never {
  throw new Error(`unexpected run event ${JSON.stringify(value)}`);
}
