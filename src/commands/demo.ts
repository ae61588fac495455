import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveLlmSettings } from '../analysis/select.js';
import { loadRunConfig } from '../drills/prepare.js';
import { defaultScenariosDir, loadScenarios } from '../incidents/load.js';
import { checkNarrative } from '../narratives/check.js';
import type { DemoSetup } from '../narratives/effects.js';
import type { NarrativeEvent } from '../narratives/engine.js';
import { defaultNarrativesDir, loadNarrativeFile, loadNarratives } from '../narratives/load.js';
import { NotesFollower, notesSocketPath } from '../narratives/notes.js';
import { autoAdvance } from '../narratives/auto.js';
import { present } from '../narratives/present.js';
import type { Narrative } from '../narratives/schema.js';
import { checkLines, eventLine, listLines, listRow, scriptMarkdown, timingLines } from '../narratives/text.js';
import { EXIT_FAILED, EXIT_OK, parseFlags, PATH_FLAGS, pathsFromFlags, positiveNumber, UsageError, writeLine, type Command, type CommandContext } from './command.js';

const HELP = `Usage: firedrill demo                       pick a narrative (in a terminal; else the list)
       firedrill demo --list [--json]           the narratives: id, title, scenes, minutes, requirements
       firedrill demo ID|FILE                   present it: the presenter screen
       firedrill demo [ID|FILE] --notes         speaker notes that follow the presenter (a second terminal)
       firedrill demo ID|FILE --check [--json]  go / no-go in seconds, without loading the machine
       firedrill demo ID|FILE --rehearse        play it with simulated load (REHEARSAL); time per scene at the end
       firedrill demo ID|FILE --script          a run sheet in Markdown, for printing

Flags:
  --record FILE.cast   record the presenter screen as an asciicast v2 file (asciinema play FILE.cast)
  --auto               advance by itself when a scene's effect came (or did not), or after its planned time;
                       without a terminal the run is printed as a log (with --rehearse, this is the default)
  --pace F             with --rehearse: play F times the narrative's pace (0.05 = twenty times faster)
  --json               with --list or --check: JSON
  --llm-url URL, --llm-model M, --prometheus URL, --alertmanager URL, --config FILE, --data-dir DIR

Keys on the presenter screen: Right, Space, PgDn, Enter next; Left, PgUp back (shows the caption
again, never undoes an effect); p pause; b blank; r restart the scene; q or Esc quit (asks first);
Ctrl-C quits at once after ending everything. In the notes terminal: Right/Space/PgDn next, Left/PgUp back.
Narratives come from narratives/ (or FIREDRILL_NARRATIVES_DIR). Exit status of --check: 0 go, 1 no-go.
`;

const FLAGS = {
  list: { type: 'boolean' },
  json: { type: 'boolean' },
  notes: { type: 'boolean' },
  check: { type: 'boolean' },
  rehearse: { type: 'boolean' },
  script: { type: 'boolean' },
  auto: { type: 'boolean' },
  pace: { type: 'string' },
  record: { type: 'string' },
  ...PATH_FLAGS,
  'llm-url': { type: 'string' },
  'llm-model': { type: 'string' },
  prometheus: { type: 'string' },
  alertmanager: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

export const command: Command = async (ctx) => {
  const { values, positionals } = parseFlags('demo', ctx.argv, FLAGS, true);
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError(`firedrill demo: one narrative at a time, got ${positionals.join(', ')}`);
  const modes = (['list', 'notes', 'check', 'rehearse', 'script'] as const).filter((mode) => values[mode]);
  if (modes.length > 1) throw new UsageError(`firedrill demo: --${modes.join(' and --')} do not go together`);
  const pace = positiveNumber('pace', values.pace);
  if (pace !== undefined && !values.rehearse) throw new UsageError('firedrill demo: --pace only goes with --rehearse (real effects run in real time)');
  if (pace !== undefined && pace > 10) throw new UsageError(`firedrill demo: --pace must be at most 10, got "${values.pace}"`);
  if (values.json && !values.list && !values.check) throw new UsageError('firedrill demo: --json goes with --list or --check');
  if (values.record !== undefined) checkRecordFlag(values.record, values);

  const [id] = positionals;
  // The notes follow whichever narrative the presenter on this data dir shows: no ID needed.
  if (values.notes) return followNotes(ctx, values, id === undefined ? null : findNarrative(ctx, id));
  const needsNarrative = (['check', 'rehearse', 'script', 'auto'] as const).find((mode) => values[mode]);
  if (id === undefined && needsNarrative) throw new UsageError(`firedrill demo: --${needsNarrative} needs a narrative: firedrill demo ID --${needsNarrative} (firedrill demo --list shows them)`);
  if (values.list || id === undefined) {
    if (id !== undefined) throw new UsageError('firedrill demo: --list takes no narrative');
    if (!values.list && isInteractive(ctx)) return openPresenter(ctx, values, null);
    return list(ctx, values.json === true);
  }
  const narrative = findNarrative(ctx, id);
  if (values.script) {
    ctx.stdout.write(scriptMarkdown(narrative));
    return EXIT_OK;
  }
  if (values.check) return check(ctx, values, narrative);
  const headless = values.auto === true || !isInteractive(ctx);
  if (headless) {
    if (values.record !== undefined) throw new UsageError('firedrill demo: --record records the presenter screen: run it in a terminal, without --auto');
    if (!values.rehearse && !values.auto) throw new UsageError('firedrill demo: the presenter screen needs a terminal; for a log of a run use --auto, for a rehearsal --rehearse');
    return runHeadless(ctx, values, narrative, pace ?? 1);
  }
  return openPresenter(ctx, values, narrative, pace);
};

function checkRecordFlag(file: string, values: Values): void {
  if (!file.endsWith('.cast')) throw new UsageError(`firedrill demo: --record names an asciicast file ending in .cast, got "${file}"`);
  const directory = path.dirname(path.resolve(file));
  if (!existsSync(directory)) throw new UsageError(`firedrill demo: --record: the folder ${directory} does not exist`);
  if (values.notes || values.check || values.script || values.list) throw new UsageError('firedrill demo: --record records the presenter screen only');
}

function isInteractive(ctx: CommandContext): boolean {
  return (ctx.stdout as NodeJS.WriteStream).isTTY === true && process.stdin.isTTY === true;
}

function list(ctx: CommandContext, json: boolean): number {
  const { narratives, errors } = loadNarratives(defaultNarrativesDir(ctx.env));
  for (const error of errors) writeLine(ctx.stderr, `warning: ${error.message}`);
  if (json) writeLine(ctx.stdout, JSON.stringify(narratives.map(listRow), null, 2));
  else for (const line of listLines(narratives)) writeLine(ctx.stdout, line);
  return narratives.length === 0 && errors.length > 0 ? EXIT_FAILED : EXIT_OK;
}

/** A narrative by id from the narratives folder, or a file path. */
export function findNarrative(ctx: CommandContext, id: string): Narrative {
  if (/\.ya?ml$/i.test(id)) {
    const result = loadNarrativeFile(path.resolve(id));
    if ('error' in result) throw new UsageError(`firedrill demo: ${result.error.message}`);
    return result.narrative;
  }
  const { narratives, errors } = loadNarratives(defaultNarrativesDir(ctx.env));
  const found = narratives.find((narrative) => narrative.id === id);
  if (found) return found;
  const broken = errors.find((error) => path.basename(error.file).replace(/\.ya?ml$/i, '') === id);
  if (broken) throw new UsageError(`firedrill demo: ${broken.message}`);
  throw new UsageError(`firedrill demo: no narrative "${id}"; the narratives are ${narratives.map((narrative) => narrative.id).join(', ') || 'none'} (firedrill demo --list)`);
}

/** Config, data dir, scenarios and the LLM settings: what every way of running a narrative needs. */
export function demoSetup(ctx: CommandContext, values: Values, pace = 1): DemoSetup {
  const { config, paths } = loadRunConfig({ configFile: values.config, paths: pathsFromFlags(values, ctx.env) });
  const { scenarios } = loadScenarios(defaultScenariosDir(ctx.env));
  const llm = resolveLlmSettings({ llmUrl: values['llm-url'], llmModel: values['llm-model'] }, ctx.env, config.llm);
  return { config, paths, env: ctx.env, scenarios, llm, monitoringFlags: { prometheusUrl: values.prometheus, alertmanagerUrl: values.alertmanager }, pace };
}

async function check(ctx: CommandContext, values: Values, narrative: Narrative): Promise<number> {
  const setup = demoSetup(ctx, values);
  const stdout = ctx.stdout as NodeJS.WriteStream;
  const report = await checkNarrative(narrative, { ...setup, terminal: stdout.isTTY ? { columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 } : null });
  if (values.json) writeLine(ctx.stdout, JSON.stringify(report, null, 2));
  else for (const line of checkLines(report)) writeLine(ctx.stdout, line);
  return report.go ? EXIT_OK : EXIT_FAILED;
}

async function runHeadless(ctx: CommandContext, values: Values, narrative: Narrative, pace: number): Promise<number> {
  const setup = demoSetup(ctx, values, pace);
  let auto: ((event: NarrativeEvent) => void) | undefined;
  let finished: Extract<NarrativeEvent, { type: 'narrative-finished' }> | undefined;
  const events = present(setup, narrative, {
    rehearse: values.rehearse === true,
    pace,
    signal: ctx.signal,
    onController: (controller) => (auto = autoAdvance(controller, narrative, pace)),
    onNotesUnavailable: (reason) => writeLine(ctx.stderr, `note: no speaker notes for this run: ${reason}`),
  });
  for await (const event of events) {
    const line = eventLine(event);
    if (line !== null) writeLine(ctx.stdout, line);
    auto?.(event);
    if (event.type === 'narrative-finished') finished = event;
  }
  if (!finished) return EXIT_FAILED;
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, `Time per scene${values.rehearse ? ` (REHEARSAL${pace !== 1 ? ` at ${pace}x the pace` : ''})` : ''}:`);
  // At another pace, the plan is scaled the same way, so that the comparison still says something.
  const scaled = finished.timings.map((timing) => ({ ...timing, plannedSeconds: timing.plannedSeconds * pace }));
  for (const line of timingLines(scaled, finished.totalSeconds, finished.plannedSeconds * pace)) writeLine(ctx.stdout, `  ${line}`);
  return finished.reason === 'aborted' ? 130 : EXIT_OK;
}

async function followNotes(ctx: CommandContext, values: Values, narrative: Narrative | null): Promise<number> {
  const paths = pathsFromFlags(values, ctx.env);
  const socketPath = notesSocketPath(paths);
  if (isInteractive(ctx)) {
    const { openNotes } = await import('../ui/demo/open-notes.js');
    return openNotes({ socketPath, narrativeId: narrative?.id ?? null, signal: ctx.signal });
  }
  // Without a terminal: one line per change, for logs and scripts.
  const follower = new NotesFollower(socketPath);
  for await (const update of follower.updates(ctx.signal)) {
    if (update.type === 'waiting') writeLine(ctx.stdout, `waiting for a presenter on ${update.socketPath}`);
    else if (update.type === 'connected') writeLine(ctx.stdout, 'following the presenter');
    else if (update.type === 'disconnected') writeLine(ctx.stdout, 'the presenter went away: waiting for it');
    else {
      const state = update.state;
      const scene = state.shown;
      if (scene) writeLine(ctx.stdout, `scene ${scene.index + 1}/${scene.count} ${scene.title} | next: ${scene.nextTitle ?? '(the end)'} | ${state.sceneSeconds}s/${scene.plannedSeconds}s | ${state.status ?? 'waiting'}`);
      if (state.finished) break;
    }
  }
  return EXIT_OK;
}

async function openPresenter(ctx: CommandContext, values: Values, narrative: Narrative | null, pace?: number): Promise<number> {
  const { openConsole } = await import('../ui/open-console.js');
  const argv: string[] = [];
  for (const flag of ['config', 'data-dir', 'llm-url', 'llm-model', 'prometheus', 'alertmanager'] as const) {
    const value = values[flag];
    if (value !== undefined) argv.push(`--${flag}`, value);
  }
  return openConsole(argv, ctx.env, {
    initialScreen: narrative ? { name: 'presenter', narrative, rehearse: values.rehearse === true, pace: pace ?? 1, auto: values.auto === true, key: Date.now() } : { name: 'narratives' },
    record: values.record ?? null,
    // A clicker's next must show within 100 ms: at 10 frames a second a key that lands just after a frame waits up to 100 ms.
    maxFps: 25,
  });
}
