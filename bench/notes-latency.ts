/**
 * Speaker notes: how late a notes listener learns of a scene change. The presenter side is the
 * real one (the narrative engine, present()'s notes publisher on the data dir's Unix socket); the
 * listener is `firedrill demo --notes`'s NotesFollower in a second process, which prints when each
 * scene's state arrived. Latency = arrival (listener's clock) - the presenter's send time, both
 * Date.now() on this machine; 100 scene changes (next through 40 scenes, back through them, next
 * again), one every 40 ms.
 *
 *   node --import tsx bench/notes-latency.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../src/config/config.js';
import { parseNarrative } from '../src/narratives/load.js';
import type { NarrativeController } from '../src/narratives/engine.js';
import { notesSocketPath } from '../src/narratives/notes.js';
import { present } from '../src/narratives/present.js';
import { resolvePaths } from '../src/paths.js';
import { percentile } from '../src/stats.js';
import { reportRow } from './rows.mjs';

const CHANGES = Number(process.env.BENCH_SCENE_CHANGES ?? 100);
const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-notes-'));
const paths = resolvePaths({ dataDir: path.join(dir, 'data') }, {});

const parsed = parseNarrative(
  { id: 'bench', title: 'Bench', audience: 'a bench', summary: 'notes', planned_minutes: 10, scenes: Array.from({ length: 40 }, (_, index) => ({ title: `Scene ${index}`, say: `s${index}` })) },
  'bench.yaml',
);
if ('error' in parsed) throw new Error(parsed.error.message);

const LISTENER = `
const { NotesFollower } = await import(${JSON.stringify(path.resolve('src/narratives/notes.ts'))});
const follower = new NotesFollower(process.argv[1], 20);
for await (const update of follower.updates(new AbortController().signal)) {
  if (update.type === 'connected') console.log('connected');
  if (update.type === 'state' && update.state.shown) console.log(JSON.stringify({ seq: update.state.seq, shown: update.state.shown.index, sentAt: update.state.sentAt, receivedAt: update.receivedAt }));
}
`;
const listener = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', LISTENER, notesSocketPath(paths)], { stdio: ['ignore', 'pipe', 'inherit'] });
/** Latency of each state whose shown scene differs from the one before: a scene change. */
const latencies: number[] = [];
let lastShown = -1;
let connected = false;
let buffer = '';
listener.stdout.setEncoding('utf8').on('data', (chunk: string) => {
  buffer += chunk;
  const lines = buffer.split('\n');
  buffer = lines.pop() ?? '';
  for (const line of lines) {
    if (line === 'connected') connected = true;
    else if (line.startsWith('{')) {
      const { shown, sentAt, receivedAt } = JSON.parse(line) as { shown: number; sentAt: number; receivedAt: number };
      if (lastShown !== -1 && shown !== lastShown) latencies.push(receivedAt - sentAt);
      lastShown = shown;
    }
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let controller: NarrativeController | undefined;
const abort = new AbortController();
const events = present({ config: defaultConfig(), paths, env: {}, scenarios: [], llm: null }, parsed.narrative, {
  rehearse: true,
  signal: abort.signal,
  keep: false,
  onController: (value) => (controller = value),
});
const reading = (async () => {
  for await (const event of events) void event;
})();
try {
  const deadline = Date.now() + 20_000;
  while (!connected || !controller) {
    if (Date.now() > deadline) throw new Error('the listener never connected');
    await sleep(20);
  }
  for (let change = 0; change < CHANGES; change += 1) {
    // 39 nexts to the last scene, 39 backs to the first, then next again.
    const phase = Math.floor(change / 39) % 2;
    await (phase === 0 ? controller.next() : controller.back());
    await sleep(40);
  }
  await sleep(300);
  const p50 = percentile(latencies, 50)!;
  const p95 = percentile(latencies, 95)!;
  console.log(`notes follow the presenter: ${latencies.length} of ${CHANGES} scene changes arrived; median ${p50} ms, p95 ${p95} ms, max ${Math.max(...latencies)} ms`);
  reportRow({
    what: 'speaker notes: a scene change reaching a notes listener (Unix socket, second process)',
    figure: `p95 ${p95} ms (median ${p50} ms) over ${latencies.length} changes`,
    against: 'the 50 ms p95 goal; clocks are Date.now() on one machine (1 ms resolution)',
    target: 'p95 50 ms',
  });
} finally {
  await controller?.quit();
  await reading;
  listener.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
