import { realEffects, rehearsalEffects, type DemoSetup } from './effects.js';
import { NarrativeController, type NarrativeEvent } from './engine.js';
import { emptyNotesState, NotesPublisher, notesReducer, notesSocketPath, type NotesState } from './notes.js';
import type { Narrative } from './schema.js';

/**
 * One presentation of a narrative, as both the presenter screen and the headless `demo --auto`
 * run it: the controller over real or rehearsal effects, the fallback lines for missing optional
 * services, and the speaker notes published on the data dir's socket (a listener's next / back
 * drive the controller). Yields the narrative's events; the caller drives with the controller
 * handed to `onController`.
 */

export interface PresentOptions {
  rehearse: boolean;
  /** Rehearsal time factor (1: the narrative's pace). */
  pace?: number;
  signal: AbortSignal;
  onController?: (controller: NarrativeController) => void;
  /** Called when the notes socket cannot be opened (another presenter, a path too long): the demo goes on without. */
  onNotesUnavailable?: (reason: string) => void;
  /** Keep the presentation in history (default true). */
  keep?: boolean;
}

/** The lines said at the start for optional services that are missing. */
export function fallbackNotices(narrative: Narrative, setup: DemoSetup): { level: 'info'; message: string }[] {
  const notices: { level: 'info'; message: string }[] = [];
  if (narrative.requires.llm !== 'none' && setup.llm === null && narrative.fallbacks.llm) notices.push({ level: 'info', message: narrative.fallbacks.llm });
  const detection = setup.config.detection;
  const flags = setup.monitoringFlags ?? {};
  const prometheus = flags.prometheusUrl ?? setup.env.FIREDRILL_PROMETHEUS_URL ?? detection.prometheus?.url;
  const alertmanager = flags.alertmanagerUrl ?? setup.env.FIREDRILL_ALERTMANAGER_URL ?? detection.alertmanager?.url;
  if (narrative.requires.prometheus !== 'none' && !prometheus && narrative.fallbacks.prometheus) notices.push({ level: 'info', message: narrative.fallbacks.prometheus });
  if (narrative.requires.alertmanager !== 'none' && !alertmanager && narrative.fallbacks.alertmanager) notices.push({ level: 'info', message: narrative.fallbacks.alertmanager });
  return notices;
}

export async function* present(setup: DemoSetup, narrative: Narrative, options: PresentOptions): AsyncGenerator<NarrativeEvent> {
  const pace = options.rehearse ? (options.pace ?? 1) : 1;
  const effects = options.rehearse ? rehearsalEffects({ ...setup, pace }) : realEffects(setup);
  const controller = new NarrativeController({ narrative, effects, signal: options.signal, notices: fallbackNotices(narrative, setup), pace });
  const publisher = await NotesPublisher.open(notesSocketPath(setup.paths), (command) => void controller.command(command)).catch((error: Error) => {
    options.onNotesUnavailable?.(error.message);
    return null;
  });
  options.onController?.(controller);
  let notes: NotesState = emptyNotesState();
  let started: Extract<NarrativeEvent, { type: 'narrative-started' }> | undefined;
  let finished: Extract<NarrativeEvent, { type: 'narrative-finished' }> | undefined;
  try {
    for await (const event of controller.events()) {
      const next = notesReducer(notes, event);
      if (next !== notes) publisher?.publish((notes = next));
      if (event.type === 'narrative-started') started = event;
      if (event.type === 'narrative-finished') finished = event;
      yield event;
    }
    // Kept in history once it is over (the last word, after narrative-finished, says if that failed).
    if (started && finished && options.keep !== false) {
      const [{ keepInHistory }, { demoSession }] = await Promise.all([import('../history/record.js'), import('./session.js')]);
      const problem = await keepInHistory({ paths: setup.paths, config: setup.config, env: setup.env }, { session: demoSession(narrative, started, finished, { pace }) });
      if (problem) yield { type: 'notice', level: 'warn', message: `History: ${problem}` };
    }
  } finally {
    // The consumer went away (the screen closed): end the narrative's effects before leaving.
    await controller.quit();
    await publisher?.close();
  }
}
