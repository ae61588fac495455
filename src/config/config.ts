import os from 'node:os';
import { z } from 'zod';
import { describeIssues, formatProblems } from '../files/describe-issue.js';
import { parseYamlFile, YamlFileError } from '../files/read-yaml.js';
import { neo4jUriSchema } from '../history/neo4j-settings.js';
import { httpUrlSchema } from '../http/url.js';
import { ConfigError } from '../errors.js';

/**
 * firedrill's YAML config file. Keys are snake_case, as in the file, so that an error names the
 * key exactly as the user wrote it. Every section is optional; defaults are filled in here, once.
 */

/**
 * Every number has an upper bound where it enters: a duration of 1e308 overflows Node's timers (it
 * fires at once), an interval of 1e-9 burns a core, 1e9 prints a TimeoutOverflowWarning per tick.
 */
const seconds = (max: number) => z.number().positive().max(max);
const HOUR = 3600;
const percent = z.number().gt(0).max(100);
/** 1 TiB in MB: above any machine's memory or a sane disk_fill. */
const megabytes = z.number().positive().max(1024 * 1024);
const text = (max: number) => z.string().min(1).max(max);
const secret = text(4096);

const drillDuration = { duration: seconds(HOUR).optional() };

const cpuSpikeSchema = z.strictObject({
  ...drillDuration,
  threshold_percent: percent.default(80),
  /** Busy workers; default one per core. */
  workers: z.number().int().positive().max(1024).optional(),
});

const memoryPressureSchema = z.strictObject({
  ...drillDuration,
  /** Share of available memory to allocate (risky above 50: asks for confirmation). */
  percent_of_available: percent.default(30),
  /** An absolute size; overrides percent_of_available. */
  size_mb: megabytes.optional(),
  chunk_mb: z.number().min(1).max(4096).default(100),
});

const diskFillSchema = z.strictObject({
  ...drillDuration,
  size_mb: megabytes.default(1024),
  /** Default: the OS temp dir. */
  directory: text(4096).optional(),
});

const serviceRestartSchema = z.strictObject({
  ...drillDuration,
  /** canary: a small HTTP service firedrill starts and supervises itself (works everywhere). */
  target: z.enum(['canary', 'systemd', 'command']).default('canary'),
  /** For target systemd. */
  unit: text(256).optional(),
  user: z.boolean().default(false),
  /** For target command: shell commands. health exits 0 when the service is healthy. */
  start: text(4096).optional(),
  stop: text(4096).optional(),
  health: text(4096).optional(),
  /** Pass bound: healthy again within this many seconds of the start command. */
  healthy_within_seconds: seconds(HOUR).default(30),
});

const processSpawnSchema = z.strictObject({
  ...drillDuration,
  count: z.number().int().positive().max(1000).default(20),
});

const drillsSchema = z.strictObject({
  /** Default duration for every drill, in seconds; each drill's own duration wins. */
  duration: seconds(HOUR).optional(),
  cpu_spike: cpuSpikeSchema.default(() => cpuSpikeSchema.parse({})),
  memory_pressure: memoryPressureSchema.default(() => memoryPressureSchema.parse({})),
  disk_fill: diskFillSchema.default(() => diskFillSchema.parse({})),
  service_restart: serviceRestartSchema.default(() => serviceRestartSchema.parse({})),
  process_spawn: processSpawnSchema.default(() => processSpawnSchema.parse({})),
});

const monitorSchema = z.strictObject({
  /** At least a tenth of a second: sampling more often costs more than it shows. */
  interval_seconds: z.number().min(0.1).max(300).default(1),
  cpu_percent: percent.default(80),
  memory_percent: percent.default(80),
  disk_percent: percent.default(90),
  /** How long to wait, at most, for the machine to come back near its baseline between drills. */
  settle_timeout_seconds: seconds(600).default(15),
});

const monitoringEndpoint = (kind: 'prometheus' | 'alertmanager') =>
  z.strictObject({
    url: httpUrlSchema(kind),
    bearer_token: secret.optional(),
    username: text(256).optional(),
    password: secret.optional(),
  });

/** An alert that should fire for a drill: by name, or by label matchers, within a bound. */
const expectationSchema = z.strictObject({
  alert: text(256).optional(),
  matchers: z
    .record(text(256), z.string().max(1024))
    .refine((matchers) => Object.keys(matchers).length <= 20, 'expected at most 20 label matchers')
    .optional(),
  within_seconds: seconds(HOUR).default(30),
});

const detectionSchema = z.strictObject({
  prometheus: monitoringEndpoint('prometheus').optional(),
  alertmanager: monitoringEndpoint('alertmanager').optional(),
  poll_interval_seconds: z.number().min(0.1).max(300).default(1),
  /** After a drill ends, keep watching this long for alerts to fire or to resolve. */
  window_seconds: seconds(HOUR).default(30),
  expect: z
    .strictObject({
      cpu_spike: expectationSchema.optional(),
      memory_pressure: expectationSchema.optional(),
      disk_fill: expectationSchema.optional(),
      service_restart: expectationSchema.optional(),
      process_spawn: expectationSchema.optional(),
    })
    .default({}),
});

const llmSchema = z.strictObject({
  url: httpUrlSchema('llm').optional(),
  model: text(256).optional(),
  api_key: secret.optional(),
  /** The whole answer (--llm-timeout, FIREDRILL_LLM_TIMEOUT). */
  timeout_seconds: seconds(HOUR).default(120),
  /** The first word of the answer, and any silence after it: shorter, so that a stuck server is left early. */
  first_byte_timeout_seconds: seconds(HOUR).default(20),
});

const apiSchema = z.strictObject({
  url: httpUrlSchema('api').optional(),
  key: secret.optional(),
});

const neo4jSchema = z.strictObject({
  uri: neo4jUriSchema.optional(),
  username: text(256).optional(),
  password: secret.optional(),
});

const parSchema = z.strictObject({
  beginner: seconds(HOUR).default(120),
  intermediate: seconds(HOUR).default(180),
  advanced: seconds(HOUR).default(240),
});

/** The training ladder (src/training/). */
const trainingSchema = z.strictObject({
  /** The score an exercise must reach to count as passed; the next level opens when all of a level's are. */
  pass_score: z.number().int().min(1).max(100).default(80),
  /** How long answering an exercise's stages should take, per level (a scenario file may set its own). */
  par_seconds: parSchema.default(() => parSchema.parse({})),
  /** Scenario seconds per real second during an exercise: slower than an incident's 30x, to leave time to look. */
  speed: z.number().min(0.1).max(10000).default(10),
});

export const configSchema = z.strictObject({
  monitor: monitorSchema.default(() => monitorSchema.parse({})),
  drills: drillsSchema.default(() => drillsSchema.parse({})),
  detection: detectionSchema.default(() => detectionSchema.parse({})),
  llm: llmSchema.default(() => llmSchema.parse({})),
  api: apiSchema.default({}),
  neo4j: neo4jSchema.default({}),
  training: trainingSchema.default(() => trainingSchema.parse({})),
});

export type FiredrillConfig = z.infer<typeof configSchema>;
export type DrillsConfig = FiredrillConfig['drills'];
export type MonitorConfig = FiredrillConfig['monitor'];
export type DetectionConfig = FiredrillConfig['detection'];
export type TrainingConfig = FiredrillConfig['training'];
export type Expectation = z.infer<typeof expectationSchema>;

export { ConfigError };

export function defaultConfig(): FiredrillConfig {
  return configSchema.parse({});
}

/** Validates already-parsed YAML; errors name the file and the key ("drills.cpu_spike.threshold_percent"). */
export function parseConfig(raw: unknown, file = 'config'): FiredrillConfig {
  const input = raw ?? {};
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(formatProblems(file, describeIssues(result.error, input)));
}

/**
 * Loads the config file. A missing file at the default location means defaults; a missing file
 * that the user named with --config is an error. A FIFO, a device or a file above 256 KiB is refused.
 */
export function loadConfig(file: string, { required = false } = {}): FiredrillConfig {
  try {
    return parseYamlFile(file, configSchema, { what: 'config file', emptyAs: {} });
  } catch (error) {
    if (!(error instanceof YamlFileError)) throw error;
    if (error.code === 'ENOENT' && !required) return defaultConfig();
    throw new ConfigError(error.message);
  }
}

/** The directory disk_fill writes in. */
export function diskFillDirectory(config: DrillsConfig): string {
  return config.disk_fill.directory ?? os.tmpdir();
}
