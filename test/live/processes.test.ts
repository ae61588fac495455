import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { endChild, spawnNodeChild, type Child } from '../../src/drills/children.js';
import { parseStat, ProcessReader, topProcesses } from '../../src/monitor/processes.js';

const children: Child[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => endChild(child, 500)));
});

/** What ps itself says of a process: the name (comm) and the command line (args). */
function ps(pid: number): { comm: string; args: string } {
  const comm = execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  const args = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  return { comm, args };
}

async function busyNamed(title: string): Promise<Child> {
  const child = await spawnNodeChild(`process.title = ${JSON.stringify(title)};
const burn = () => { const until = Date.now() + 50; while (Date.now() < until) {} setImmediate(burn); };
burn();`);
  children.push(child);
  return child;
}

describe('the /proc process table', () => {
  it('names a process as ps does, and measures its CPU between two reads', async () => {
    const child = await busyNamed('report-builder');
    const reader = new ProcessReader();
    const first = reader.read();
    const seen = first.processes.find((process) => process.pid === child.pid);
    expect(seen?.cpuPercent).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = reader.read();
    const busy = second.processes.find((process) => process.pid === child.pid)!;
    expect(busy.name).toBe('report-builder');
    expect(ps(child.pid).comm).toBe('report-builder');
    expect(reader.withCommand(busy).command).toBe(ps(child.pid).args);
    // A busy loop since it started: ps's %cpu (CPU time over its lifetime) says about the same. Other
    // programs may share the machine, so only "well above idle" and "at most one core" are certain.
    const psPercent = Number(execFileSync('ps', ['-o', '%cpu=', '-p', String(child.pid)], { encoding: 'utf8' }).trim());
    expect(busy.cpuPercent).toBeGreaterThan(10);
    expect(busy.cpuPercent).toBeLessThanOrEqual(110);
    expect(Math.abs((busy.cpuPercent ?? 0) - psPercent)).toBeLessThan(35);
    expect(busy.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(Math.abs(busy.startedAt - Date.now())).toBeLessThan(10_000);
    expect(topProcesses(second, 'cpu', 5).map((process) => process.pid)).toContain(child.pid);
  });

  it('reads only the pids asked for, and skips those that are gone', async () => {
    const child = await busyNamed('pid-watch');
    const snapshot = new ProcessReader().read([child.pid, 2 ** 22 + 7]);
    expect(snapshot.processes.map((process) => process.pid)).toEqual([child.pid]);
  });

  it('parses names with spaces and parentheses', () => {
    const line = '42 (a (weird) name) S 1 42 42 0 -1 4194560 1 0 0 0 150 50 0 0 20 0 3 0 12345 1000000 256 18446744073709551615';
    expect(parseStat(line)).toEqual({ name: 'a (weird) name', state: 'S', ppid: 1, cpuTicks: 200, userTicks: 150, systemTicks: 50, threads: 3, startTime: 12345, virtualBytes: 1000000, rssPages: 256 });
    expect(parseStat('garbage')).toBeNull();
  });
});
