import type { DrillResult, RunReport } from '../drills/types.js';
import { formatMeasured } from './text.js';

/**
 * JUnit XML, the format CI systems read: one testsuite per run, one testcase per drill, a
 * <failure> for a failed drill, and the measured values in <system-out>.
 */

export function toJunitXml(report: RunReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const totalMs = Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt)) || 0;
  const suite = attributes({
    name: `firedrill drills on ${report.machine}`,
    id: report.runId,
    hostname: report.machine,
    timestamp: report.startedAt,
    tests: report.summary.total,
    failures: report.summary.failed,
    errors: 0,
    skipped: 0,
    time: seconds(totalMs),
  });
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes({ name: 'firedrill', tests: report.summary.total, failures: report.summary.failed, errors: 0, time: seconds(totalMs) })}>`,
    `  <testsuite ${suite}>`,
    `    <properties>`,
    `      <property ${attributes({ name: 'events_triggered', value: report.summary.eventsTriggered })}/>`,
    `    </properties>`,
    ...report.results.flatMap((result) => testcase(result, report.machine, seconds)),
    `  </testsuite>`,
    `</testsuites>`,
  ];
  return `${lines.join('\n')}\n`;
}

function testcase(result: DrillResult, machine: string, seconds: (ms: number) => string): string[] {
  const head = `    <testcase ${attributes({ classname: `firedrill.${machine}`, name: result.test, time: seconds(result.durationMs) })}>`;
  const body: string[] = [];
  if (!result.success) {
    const message = result.error ?? result.summary ?? 'the drill failed';
    body.push(`      <failure ${attributes({ message, type: 'DrillFailed' })}>${escapeXml(result.summary || message)}</failure>`);
  }
  const out = [
    result.summary,
    `measured: ${formatMeasured(result.measured) || '(nothing)'}`,
    `events triggered: ${result.eventsTriggered}${result.events.length > 0 ? ` (${result.events.map((event) => event.type).join(', ')})` : ''}`,
    ...(result.detection ?? []).map((detection) => `detection (${detection.source}): ${detection.summary}${detection.error ? ` (${detection.error})` : ''}`),
  ];
  body.push(`      <system-out>${escapeXml(out.join('\n'))}</system-out>`);
  return [head, ...body, '    </testcase>'];
}

export function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${escapeXml(String(value)).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')}"`)
    .join(' ');
}

/** Escapes text for XML content and attributes, dropping the control characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
