import { z } from 'zod';
import type { DrillsConfig } from '../../config/config.js';
import { isLinux, LINUX_ONLY_MESSAGE } from '../../drills/proc.js';
import { createDrills } from '../../drills/registry.js';
import { DRILL_NAMES, type DrillName, type DrillOutcome } from '../../drills/types.js';
import type { FaultKind } from './types.js';

/** Which optional keys each drill understands (the rest of its settings come from the config's drills section). */
const KEYS_FOR: Record<DrillName, readonly string[]> = {
  cpu_spike: ['workers'],
  memory_pressure: ['size_mb', 'percent_of_available', 'chunk_mb'],
  disk_fill: ['size_mb', 'directory'],
  service_restart: [],
  process_spawn: ['count'],
};

const OPTIONAL_KEYS = ['workers', 'size_mb', 'percent_of_available', 'chunk_mb', 'directory', 'count'] as const;

const schema = z
  .strictObject({
    kind: z.literal('drill'),
    drill: z.enum(DRILL_NAMES),
    workers: z.number().int().min(1).max(256).optional(),
    size_mb: z.number().positive().max(1_048_576).optional(),
    percent_of_available: z.number().positive().max(90).optional(),
    chunk_mb: z.number().positive().max(4096).optional(),
    directory: z.string().min(1).max(4096).optional(),
    count: z.number().int().min(1).max(1000).optional(),
  })
  .superRefine((spec, context) => {
    for (const key of OPTIONAL_KEYS) {
      if (spec[key] !== undefined && !KEYS_FOR[spec.drill].includes(key)) {
        const known = KEYS_FOR[spec.drill];
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `expected no ${key} for ${spec.drill} (${known.length > 0 ? `it takes ${known.join(', ')}` : 'it takes no setting here'})`,
        });
      }
    }
  });

type DrillFaultSpec = z.infer<typeof schema>;

/** The config's drills section with this fault's overrides. */
function drillsConfigFor(spec: DrillFaultSpec, base: DrillsConfig): DrillsConfig {
  const config = structuredClone(base);
  if (spec.workers !== undefined) config.cpu_spike.workers = spec.workers;
  if (spec.drill === 'memory_pressure') {
    if (spec.size_mb !== undefined) config.memory_pressure.size_mb = spec.size_mb;
    if (spec.percent_of_available !== undefined) {
      config.memory_pressure.percent_of_available = spec.percent_of_available;
      if (spec.size_mb === undefined) delete config.memory_pressure.size_mb;
    }
    if (spec.chunk_mb !== undefined) config.memory_pressure.chunk_mb = spec.chunk_mb;
  }
  if (spec.drill === 'disk_fill') {
    if (spec.size_mb !== undefined) config.disk_fill.size_mb = spec.size_mb;
    if (spec.directory !== undefined) config.disk_fill.directory = spec.directory;
  }
  if (spec.count !== undefined) config.process_spawn.count = spec.count;
  return config;
}

function describeDrill(spec: DrillFaultSpec): string {
  const parts = OPTIONAL_KEYS.filter((key) => spec[key] !== undefined).map((key) => `${key} ${spec[key]}`);
  return `the ${spec.drill} drill${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/**
 * Any of the five local drills, held for the step's duration: the drill creates its load (and
 * records it in the ledger) as in `firedrill run`, and stop() aborts it, which removes it.
 */
export const drillFault: FaultKind<DrillFaultSpec> = {
  kind: 'drill',
  schema: schema as unknown as z.ZodObject,
  mode: 'held',
  // The runbook: resource chaos is medium risk; the canary restart is service chaos, low.
  risk: (spec) => (spec.drill === 'service_restart' ? 'low' : 'medium'),
  describe: describeDrill,
  check: () => (isLinux() ? null : LINUX_ONLY_MESSAGE),
  create(spec, context) {
    const drill = createDrills(drillsConfigFor(spec, context.config.drills), context.paths)[spec.drill];
    const controller = new AbortController();
    let running: Promise<DrillOutcome> | undefined;
    let ended: DrillOutcome | undefined;
    return {
      async start() {
        const refusal = await drill.preflight();
        if (refusal !== null) throw new Error(`${spec.drill} refused: ${refusal}`);
        running = drill.run({
          signal: controller.signal,
          // The engine ends the fault by stop(); the drill's own clock must not end it first.
          durationMs: 24 * 3600 * 1000,
          progress: (message) => context.progress(`${spec.drill}: ${message}`),
          reportEvent: () => undefined,
        });
        void running.then((outcome) => {
          ended = outcome;
        });
      },
      async stop() {
        controller.abort(new Error('the fault ended'));
        await running;
      },
      problem: () =>
        ended !== undefined && !controller.signal.aborted ? `${spec.drill} ended early: ${ended.error ?? ended.summary}` : undefined,
    };
  },
};
