import { loadYamlFolder, type FolderFileError } from '../files/load-folder.js';
import { describeIssues, describeValue, formatProblems } from '../files/describe-issue.js';
import { readYamlFile, YamlFileError, type YamlDocument } from '../files/read-yaml.js';
import { shippedFolder } from '../paths.js';
import { isDrillRun, isIncidentRun, isLiveRun, narrativeFileSchema, type Narrative } from './schema.js';

/** A narrative file that could not be used; the other files still load. */
export type NarrativeLoadError = FolderFileError;

export interface LoadedNarratives {
  narratives: Narrative[];
  errors: NarrativeLoadError[];
}

/** The longest shipped narrative is under 10 KiB. */
export const MAX_NARRATIVE_FILE_BYTES = 128 * 1024;

export function defaultNarrativesDir(env: NodeJS.ProcessEnv = process.env): string {
  return shippedFolder('narratives', 'FIREDRILL_NARRATIVES_DIR', env);
}

/** Every *.yaml / *.yml of the folder, in name order; a bad file becomes an error, never a throw. */
export function loadNarratives(dir: string): LoadedNarratives {
  const { items, errors } = loadYamlFolder(dir, 'narratives', (file) => {
    const result = loadNarrativeFile(file);
    return 'error' in result ? result : { item: result.narrative };
  });
  return { narratives: items, errors };
}

export function loadNarrativeFile(file: string): { narrative: Narrative } | { error: NarrativeLoadError } {
  let document: YamlDocument;
  try {
    document = readYamlFile(file, { what: 'narrative file', maxBytes: MAX_NARRATIVE_FILE_BYTES });
  } catch (error) {
    if (error instanceof YamlFileError) return { error: { file, message: error.message } };
    throw error;
  }
  return parseNarrative(document.value, file, (at) => document.lineOf(at));
}

/** Validates already-parsed YAML (also used by tests). */
export function parseNarrative(
  raw: unknown,
  file: string,
  lineOf?: (path: readonly PropertyKey[]) => number | undefined,
): { narrative: Narrative } | { error: NarrativeLoadError } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { error: { file, message: `${file}: expected a mapping of narrative fields at the top level, found ${describeValue(raw)}` } };
  }
  const parsed = narrativeFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error, raw);
    const field = problems[0]?.field;
    return { error: { file, ...(field ? { field } : {}), message: formatProblems(file, problems, 3, lineOf) } };
  }
  const narrative: Narrative = { ...parsed.data, file };
  const problem = crossCheck(narrative);
  if (problem) {
    const at = problem.field.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key));
    return { error: { file, field: problem.field, message: formatProblems(file, [{ field: problem.field, detail: problem.message, path: at }], 1, lineOf) } };
  }
  return { narrative };
}

/** What the schema cannot check alone: each scene's `until` fits what it runs, and the requirements are declared. */
function crossCheck(narrative: Narrative): { field: string; message: string } | null {
  for (const [index, scene] of narrative.scenes.entries()) {
    const at = `scenes.${index}`;
    const run = scene.run;
    if (run && (isDrillRun(run) || isLiveRun(run)) && !narrative.requires.drills) {
      return { field: `${at}.run`, message: 'this scene loads the machine: declare "requires: { drills: true }"' };
    }
    if (scene.reveal !== undefined && scene.ask === undefined) return { field: `${at}.reveal`, message: 'a reveal answers an "ask": add the question' };
    const until = scene.until;
    if (!until) continue;
    // A scene that runs nothing may wait on what the scene before it kept running.
    const previous = index > 0 ? narrative.scenes[index - 1] : undefined;
    const watched = run ?? (previous?.keep ? previous.run : undefined);
    const what = !watched ? 'nothing' : isDrillRun(watched) ? 'drills' : isIncidentRun(watched) ? 'an incident scenario' : 'a live incident';
    const kept = !run && watched ? ' (kept from the scene before)' : '';
    const wrong = (needs: string) => ({ field: `${at}.until`, message: `"${describeUntil(until)}" needs ${needs}, but this scene runs ${what}${kept}` });
    switch (until.kind) {
      case 'drill':
      case 'drills-finished':
      case 'event':
        if (!watched || !isDrillRun(watched)) return wrong('drills');
        break;
      case 'alert':
        if (!watched || !isDrillRun(watched)) return wrong('drills');
        if (narrative.requires.prometheus === 'none' && narrative.requires.alertmanager === 'none') {
          return { field: `${at}.until`, message: 'an alert comes from Prometheus or Alertmanager: declare requires.prometheus or requires.alertmanager' };
        }
        break;
      case 'hypothesis':
      case 'actions':
      case 'resolved':
        if (!watched || isDrillRun(watched)) return wrong('an incident (a scenario or a live incident)');
        break;
      case 'verdict':
        if (!watched || !isLiveRun(watched)) return wrong('a live incident');
        break;
      case 'time':
        break;
    }
  }
  return null;
}

export function describeUntil(until: NonNullable<Narrative['scenes'][number]['until']>): string {
  switch (until.kind) {
    case 'drill':
      return `drill ${until.outcome}`;
    case 'drills-finished':
      return 'drills finished';
    case 'event':
      return `event ${until.event}`;
    case 'hypothesis':
      return `hypothesis ${until.index}`;
    case 'actions':
      return 'actions shown';
    case 'alert':
      return until.name ? `alert ${until.name}` : 'alert detected';
    case 'resolved':
      return 'incident resolved';
    case 'verdict':
      return 'verdict';
    case 'time':
      return `${until.seconds} s`;
  }
}
