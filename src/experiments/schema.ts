import { z } from 'zod';
import { ACTION_KINDS, FAULT_KINDS, PROBE_KINDS, SERVICE_KINDS } from './kinds/index.js';
import { RISKS } from './kinds/types.js';

/**
 * The experiment file (experiments/*.yaml): Chaos Toolkit's shape (a steady-state hypothesis, a
 * method, rollbacks) with the chaos runbook's risk level and checklists and the chaos module's
 * severity. Every number, string and list is bounded; the kinds' own parts come from the
 * registries in kinds/index.ts. Cross-field checks (service references, declared risk) are in load.ts.
 */

export const EXPERIMENT_ID = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lower-case letters, digits and dashes (at most 63), e.g. canary-kill');

const NAME = z.string().min(1).max(60);
const SENTENCE = z.string().min(1).max(300);

/** A kind's schema plus what the experiment adds to every item of that list. */
type KindSchemas = readonly { schema: z.ZodObject }[];

function unionOf<T extends z.ZodRawShape>(kinds: KindSchemas, extra: T) {
  const options = kinds.map((kind) => kind.schema.safeExtend(extra));
  return z.discriminatedUnion('kind', options as unknown as [z.ZodObject, ...z.ZodObject[]]);
}

/** An item of a kinds list, as the engine sees it: its kind, and the kind's own fields (already validated). */
export interface KindSpec {
  kind: string;
  [field: string]: unknown;
}

const serviceSchema = unionOf(SERVICE_KINDS, {});
const probeSchema = unionOf(PROBE_KINDS, { name: NAME.optional() });
const faultSchema = unionOf(FAULT_KINDS, {});
const actionSchema = unionOf(ACTION_KINDS, {});

const SECONDS_IN_AN_HOUR = 3600;

const stepSchema = z
  .strictObject({
    /** For the timeline and the journal; default: the fault's own description. */
    name: NAME.optional(),
    fault: faultSchema.optional(),
    /** How long a held fault stays in place (a CPU load, a stopped service). */
    duration_seconds: z.number().positive().max(SECONDS_IN_AN_HOUR).optional(),
    /** A pause: the probes go on, nothing is done. */
    pause_seconds: z.number().positive().max(SECONDS_IN_AN_HOUR).optional(),
  })
  .superRefine((step, context) => {
    if ((step.fault === undefined) === (step.pause_seconds === undefined)) {
      context.addIssue({ code: 'custom', path: [], message: 'expected either fault or pause_seconds in a step' });
      return;
    }
    if (step.fault === undefined) {
      if (step.duration_seconds !== undefined) context.addIssue({ code: 'custom', path: ['duration_seconds'], message: 'expected no duration_seconds in a pause (pause_seconds is its length)' });
      return;
    }
    const kind = FAULT_KINDS.find((candidate) => candidate.kind === (step.fault as KindSpec).kind);
    if (kind?.mode === 'held' && step.duration_seconds === undefined) {
      context.addIssue({ code: 'custom', path: ['fault'], message: `expected a duration_seconds beside this fault (a ${kind.kind} fault is held)` });
    }
    if (kind?.mode === 'instant' && step.duration_seconds !== undefined) {
      context.addIssue({ code: 'custom', path: ['duration_seconds'], message: `expected no duration_seconds (a ${kind.kind} fault is done at once)` });
    }
  });

export const experimentFileSchema = z.strictObject({
  id: EXPERIMENT_ID,
  title: z.string().min(1).max(80),
  description: z.string().min(1).max(2000),
  tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'expected a lower-case tag')).max(12).default([]),
  /** The runbook's approval levels: medium needs --yes, high needs --yes --risk high. */
  risk: z.enum(RISKS as ['low', 'medium', 'high']),
  /** The chaos module's scale, 1 (mild) to 5 (severe): gamedays pick experiments within a severity range. */
  severity: z.number().int().min(1).max(5),
  checklist: z
    .strictObject({
      before: z.array(SENTENCE).max(30).default([]),
      after: z.array(SENTENCE).max(30).default([]),
    })
    .default({ before: [], after: [] }),
  services: z.array(serviceSchema).max(10).default([]),
  /** Every probe runs this often, from the steady-state check before the method to the last recovery. */
  probe_interval_seconds: z.number().min(0.05).max(60).default(1),
  steady_state: z.strictObject({
    /** The hypothesis in a sentence: "the canary answers /health within 250 ms". */
    title: SENTENCE,
    /** How long the steady state is checked before the method; it must hold, or the experiment does not start. */
    baseline_seconds: z.number().min(0.2).max(600).default(3),
    /** Out-of-tolerance rounds in a row that make a deviation (1: any failed probe). */
    deviation_after: z.number().int().min(1).max(100).default(1),
    probes: z.array(probeSchema).min(1).max(10),
  }),
  recovery: z.strictObject({
    /** Rounds in a row within tolerance that count as recovered. */
    consecutive: z.number().int().min(1).max(100).default(3),
    /** The steady state must be back within this long of a fault's start (the runbook's "returns to active within 30 s"). */
    within_seconds: z.number().min(0.1).max(SECONDS_IN_AN_HOUR),
  }),
  method: z.array(stepSchema).min(1).max(50),
  /** Run at the end, after a failure and on Ctrl-C, in this order. */
  rollbacks: z.array(actionSchema).max(20).default([]),
  /** An alert your monitoring should raise for each fault (needs --prometheus / --alertmanager or the config). */
  detection: z
    .strictObject({
      alert: z.string().min(1).max(200).optional(),
      matchers: z.record(z.string().max(100), z.string().max(200)).optional(),
      within_seconds: z.number().positive().max(SECONDS_IN_AN_HOUR).default(30),
    })
    .refine((value) => Object.keys(value.matchers ?? {}).length <= 20, { message: 'expected at most 20 matchers', path: ['matchers'] })
    .optional(),
});

type ParsedFile = z.infer<typeof experimentFileSchema>;

export interface ExperimentStep {
  name?: string;
  fault?: KindSpec;
  duration_seconds?: number;
  pause_seconds?: number;
}

/** A validated experiment, as the engine and the reports use it. */
export interface Experiment extends Omit<ParsedFile, 'services' | 'steady_state' | 'method' | 'rollbacks'> {
  /** The file it came from (absent for one built in code). */
  file?: string;
  services: (KindSpec & { id: string })[];
  steady_state: Omit<ParsedFile['steady_state'], 'probes'> & { probes: (KindSpec & { name?: string })[] };
  method: ExperimentStep[];
  rollbacks: KindSpec[];
}
