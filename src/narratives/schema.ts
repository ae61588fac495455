import { z } from 'zod';
import { configSchema } from '../config/config.js';
import { DRILL_NAMES, MONITOR_EVENT_TYPES, type DrillName, type MonitorEventType } from '../drills/types.js';
import { liveFaultSpecSchema } from '../live/spec.js';

/**
 * A narrative: a presenter's demo as a YAML file (narratives/*.yaml; the format is documented in
 * narratives/README.md). Scenes bound to real effects: a drill, an incident scenario, a live
 * incident on this machine. Every string, number and list is bounded.
 */

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected an id: lowercase letters, digits, "-" or "_"');

const line = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((text) => !text.includes('\n'), 'expected one line of text');

const text = (max: number) => z.string().min(1).max(max);

export const DEFAULT_SCENE_TIMEOUT_SECONDS = 90;

/**
 * What a scene waits for before it calls itself complete, written as a short phrase:
 * "drill passed", "drill failed", "drills finished", "event cpu_high", "hypothesis 2",
 * "actions shown", "alert detected", "alert NodeCpuBusy", "incident resolved", "verdict", "20 s".
 */
export type Until =
  | { kind: 'drill'; outcome: 'passed' | 'failed' | 'finished' }
  | { kind: 'drills-finished' }
  | { kind: 'event'; event: MonitorEventType }
  | { kind: 'hypothesis'; index: number }
  | { kind: 'actions' }
  | { kind: 'alert'; name: string | null }
  | { kind: 'resolved' }
  | { kind: 'verdict' }
  | { kind: 'time'; seconds: number };

export const UNTIL_PHRASES =
  '"drill passed", "drill failed", "drill finished", "drills finished", "event EVENT", "hypothesis N", "actions shown", "alert detected", "alert NAME", "incident resolved", "verdict" or "N s"';

export function parseUntil(phrase: string): Until | null {
  const words = phrase.trim().split(/\s+/);
  const [first, second] = words;
  if (words.length === 2 && first === 'drill' && (second === 'passed' || second === 'failed' || second === 'finished')) return { kind: 'drill', outcome: second };
  if (words.length === 2 && first === 'drills' && second === 'finished') return { kind: 'drills-finished' };
  if (words.length === 2 && first === 'event' && (MONITOR_EVENT_TYPES as readonly string[]).includes(second!)) return { kind: 'event', event: second as MonitorEventType };
  if (words.length === 2 && first === 'hypothesis' && /^[1-4]$/.test(second!)) return { kind: 'hypothesis', index: Number(second) };
  if (words.length === 2 && first === 'actions' && second === 'shown') return { kind: 'actions' };
  if (words.length === 2 && first === 'alert' && second === 'detected') return { kind: 'alert', name: null };
  if (words.length === 2 && first === 'alert' && /^[A-Za-z_:][A-Za-z0-9_:]{0,127}$/.test(second!)) return { kind: 'alert', name: second! };
  if (words.length === 2 && first === 'incident' && second === 'resolved') return { kind: 'resolved' };
  if (words.length === 1 && first === 'verdict') return { kind: 'verdict' };
  const seconds = /^(\d{1,4})\s*s$/.exec(phrase.trim());
  if (seconds && Number(seconds[1]) >= 1 && Number(seconds[1]) <= 3600) return { kind: 'time', seconds: Number(seconds[1]) };
  return null;
}

const untilSchema = z
  .string()
  .max(140)
  .transform((phrase, context) => {
    const parsed = parseUntil(phrase);
    if (!parsed) {
      context.addIssue({ code: 'custom', message: `expected ${UNTIL_PHRASES}, found "${phrase}"` });
      return z.NEVER;
    }
    return parsed;
  });

/** The drills' own settings, with the keys of the config file's `drills:` section; validated by the config's schema. */
const drillSettingsSchema = z
  .record(z.string().max(40), z.unknown())
  .superRefine((settings, context) => {
    const result = configSchema.shape.drills.safeParse(settings);
    if (!result.success) {
      // The config's own issues, at their place under `settings` (same wording as a config file error).
      for (const issue of result.error.issues) context.addIssue(issue as never);
    }
  })
  .optional();

const drillRunSchema = z.strictObject({
  /** One drill by name, or a list, or "all" (the five, in the usual order). */
  drills: z.union([z.enum(DRILL_NAMES), z.array(z.enum(DRILL_NAMES)).min(1).max(5), z.literal('all')]),
  duration_seconds: z.number().min(1).max(600).optional(),
  /** Same keys as the config file's `drills:` section (e.g. memory_pressure: { size_mb: 256 }); win over the user's config. */
  settings: drillSettingsSchema,
});

const incidentRunSchema = z.strictObject({
  incident: id,
  /** Scenario seconds per real second. */
  speed: z.number().min(0.1).max(1000).default(30),
});

const liveRunSchema = z.strictObject({
  live: liveFaultSpecSchema,
  baseline_seconds: z.number().min(1).max(60).default(5),
  /** firedrill ends the fault itself this long after it started. */
  hold_seconds: z.number().min(5).max(600).default(60),
});

export const runSchema = z.union([drillRunSchema, incidentRunSchema, liveRunSchema]);

const sceneSchema = z.strictObject({
  title: line(80),
  /** The caption the audience reads: short. */
  say: text(240),
  notes: text(4000).optional(),
  run: runSchema.optional(),
  until: untilSchema.optional(),
  /** How long the scene waits for `until` before it says, in one line, that it is not coming. */
  timeout_seconds: z.number().min(1).max(3600).optional(),
  ask: text(240).optional(),
  reveal: text(400).optional(),
  /** Let this scene's effects run on into the next scene (by default they end first). */
  keep: z.boolean().default(false),
  /** The plan for this scene; default: an even share of planned_minutes. */
  planned_seconds: z.number().min(1).max(3600).optional(),
});

const need = z.enum(['none', 'optional', 'required']);

const requiresSchema = z.strictObject({
  /** The scenes load this machine (drills, live faults): Linux, the drill lock, the drills' preflight. */
  drills: z.boolean().default(false),
  llm: need.default('none'),
  prometheus: need.default('none'),
  alertmanager: need.default('none'),
  /** The smallest terminal the screens fit. */
  terminal: z.strictObject({ columns: z.number().int().min(40).max(500), rows: z.number().int().min(10).max(200) }).default({ columns: 80, rows: 24 }),
});

export const narrativeFileSchema = z.strictObject({
  id,
  title: line(100),
  audience: line(120),
  summary: text(600),
  planned_minutes: z.number().min(1).max(180),
  requires: requiresSchema.default(() => requiresSchema.parse({})),
  /** What the screen says when an optional requirement is missing (the LLM, Prometheus, Alertmanager). */
  fallbacks: z
    .strictObject({ llm: line(200).optional(), prometheus: line(200).optional(), alertmanager: line(200).optional() })
    .default({}),
  scenes: z.array(sceneSchema).min(1).max(40),
});

export type NarrativeFile = z.infer<typeof narrativeFileSchema>;
export type Scene = z.infer<typeof sceneSchema>;
export type SceneRun = z.infer<typeof runSchema>;
export type DrillRun = z.infer<typeof drillRunSchema>;
export type IncidentRun = z.infer<typeof incidentRunSchema>;
export type LiveRun = z.infer<typeof liveRunSchema>;

export interface Narrative extends NarrativeFile {
  file: string;
}

export function isDrillRun(run: SceneRun): run is DrillRun {
  return 'drills' in run;
}

export function isIncidentRun(run: SceneRun): run is IncidentRun {
  return 'incident' in run;
}

export function isLiveRun(run: SceneRun): run is LiveRun {
  return 'live' in run;
}

/** The drills a run names, in the runner's order. */
export function drillsOf(run: DrillRun): DrillName[] {
  if (run.drills === 'all') return [...DRILL_NAMES];
  const named = typeof run.drills === 'string' ? [run.drills] : run.drills;
  return DRILL_NAMES.filter((name) => named.includes(name));
}
