import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { experimentReportHtml } from '../../src/experiments/html-report.js';
import { fromObject, run, tempData } from './helpers.js';
import { countColour, readPng } from './png.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chromiumPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const CHROMIUM = chromiumPath();

/**
 * Opens `file` in Debian's Chromium headless, with every host name unresolvable and a net log:
 * returns the screenshot and the URLs the page itself asked for (the browser's own background
 * requests have no page origin and are left out).
 */
function open(file: string, name: string): { png: string; pageRequests: string[] } {
  const png = path.join(dir, `${name}.png`);
  const netLog = path.join(dir, `${name}-net.json`);
  const result = spawnSync(
    CHROMIUM!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--host-resolver-rules=MAP * ~NOTFOUND',
      `--user-data-dir=${path.join(dir, `profile-${name}`)}`,
      `--screenshot=${png}`,
      '--window-size=900,1400',
      `--log-net-log=${netLog}`,
      `file://${file}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`chromium exited ${result.status}: ${result.stderr}`);
  const text = readFileSync(netLog, 'utf8');
  // Chromium may leave the log's closing brackets off when it exits.
  const log = JSON.parse(/\]\s*}\s*$/.test(text) ? text : `${text.replace(/,\s*$/, '')}]}`) as {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: { url?: string; initiator?: string } }[];
  };
  const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  const pageRequests = log.events
    .filter((event) => event.type === startJob && event.params?.url !== undefined && event.params.initiator !== 'not an origin')
    .map((event) => event.params!.url!);
  return { png, pageRequests };
}

describe('the HTML report', () => {
  it.skipIf(!CHROMIUM)(`renders its charts in Chromium headless, and no request leaves the file${CHROMIUM ? '' : ' (skipped: chromium is not installed)'}`, async () => {
    const data = tempData();
    const { result } = await run(
      fromObject({
        id: 'report-kill',
        title: 'Report kill',
        description: 'kills the canary twice for the charts',
        risk: 'low',
        severity: 1,
        services: [{ id: 'canary', kind: 'canary', restart: 'always', restart_delay_seconds: 0.2 }],
        probe_interval_seconds: 0.05,
        steady_state: { title: 'the canary answers', baseline_seconds: 0.5, probes: [{ name: 'canary health', kind: 'http', url: '${canary.url}/health' }] },
        recovery: { consecutive: 3, within_seconds: 5 },
        method: [{ fault: { kind: 'process_kill', service: 'canary' } }, { pause_seconds: 0.5 }, { fault: { kind: 'process_kill', service: 'canary' } }],
      }),
      data,
    );
    data.remove();
    const html = experimentReportHtml([result], { title: 'Chaos experiment report-kill' });
    // Nothing in the file can fetch anything: no script, no stylesheet link, no src or href, no url().
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=|url\(|@import/i);
    const file = path.join(dir, 'report.html');
    writeFileSync(file, html);

    const report = open(file, 'report');
    expect(report.pageRequests).toEqual([]);
    const picture = readPng(report.png);
    expect(picture.width).toBe(900);
    // The charts are drawn: the fault windows (#fecaca), the latency line (#2563eb), the green rounds (#16a34a).
    expect(countColour(picture, '#fecaca')).toBeGreaterThan(300);
    expect(countColour(picture, '#2563eb')).toBeGreaterThan(100);
    expect(countColour(picture, '#16a34a')).toBeGreaterThan(300);

    // The check can fail: a page that asks for an image is caught.
    const control = path.join(dir, 'control.html');
    writeFileSync(control, '<!DOCTYPE html><p>control</p><img src="http://firedrill-control.invalid/x.png">');
    expect(open(control, 'control').pageRequests).toEqual(['http://firedrill-control.invalid/x.png']);
  });
});
