import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { z } from 'zod';

/**
 * firedrill's YAML config file. Keys are snake_case, as in the file, so that an error names the
 * key exactly as the user wrote it. Every section is optional; defaults are filled in here, once.
 */

const seconds = z.number().positive();
const percent = z.number().gt(0).max(100);

const drillDuration = { duration: seconds.optional() };

const cpuSpikeSchema = z.strictObject({
  ...drillDuration,
  threshold_percent: percent.default(80),
  /** Busy workers; default one per core. */
  workers: z.number().int().positive().optional(),
});

const memoryPressureSchema = z.strictObject({
  ...drillDuration,
  /** Share of available memory to allocate (risky above 50: asks for confirmation). */
  percent_of_available: percent.default(30),
  /** An absolute size; overrides percent_of_available. */
  size_mb: z.number().positive().optional(),
  chunk_mb: z.number().positive().default(100),
});

const diskFillSchema = z.strictObject({
  ...drillDuration,
  size_mb: z.number().positive().default(1024),
  /** Default: the OS temp dir. */
  directory: z.string().min(1).optional(),
});

const serviceRestartSchema = z.strictObject({
  ...drillDuration,
  /** canary: a small HTTP service firedrill starts and supervises itself (works everywhere). */
  target: z.enum(['canary', 'systemd', 'command']).default('canary'),
  /** For target systemd. */
  unit: z.string().min(1).optional(),
  user: z.boolean().default(false),
  /** For target command: shell commands. health exits 0 when the service is healthy. */
  start: z.string().min(1).optional(),
  stop: z.string().min(1).optional(),
  health: z.string().min(1).optional(),
  /** Pass bound: healthy again within this many seconds of the start command. */
  healthy_within_seconds: seconds.default(30),
});

const processSpawnSchema = z.strictObject({
  ...drillDuration,
  count: z.number().int().positive().max(1000).default(20),
});

const drillsSchema = z.strictObject({
  /** Default duration for every drill, in seconds; each drill's own duration wins. */
  duration: seconds.optional(),
  cpu_spike: cpuSpikeSchema.default(() => cpuSpikeSchema.parse({})),
  memory_pressure: memoryPressureSchema.default(() => memoryPressureSchema.parse({})),
  disk_fill: diskFillSchema.default(() => diskFillSchema.parse({})),
  service_restart: serviceRestartSchema.default(() => serviceRestartSchema.parse({})),
  process_spawn: processSpawnSchema.default(() => processSpawnSchema.parse({})),
});

const monitorSchema = z.strictObject({
  interval_seconds: seconds.default(1),
  cpu_percent: percent.default(80),
  memory_percent: percent.default(80),
  disk_percent: percent.default(90),
  /** How long to wait, at most, for the machine to come back near its baseline between drills. */
  settle_timeout_seconds: seconds.default(15),
});

const monitoringEndpointSchema = z.strictObject({
  url: z.url(),
  bearer_token: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
});

/** An alert that should fire for a drill: by name, or by label matchers, within a bound. */
const expectationSchema = z.strictObject({
  alert: z.string().min(1).optional(),
  matchers: z.record(z.string(), z.string()).optional(),
  within_seconds: seconds.default(30),
});

const detectionSchema = z.strictObject({
  prometheus: monitoringEndpointSchema.optional(),
  alertmanager: monitoringEndpointSchema.optional(),
  poll_interval_seconds: seconds.default(1),
  /** After a drill ends, keep watching this long for alerts to fire or to resolve. */
  window_seconds: seconds.default(30),
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
  url: z.url().optional(),
  model: z.string().min(1).optional(),
  api_key: z.string().min(1).optional(),
  timeout_seconds: seconds.default(60),
});

const apiSchema = z.strictObject({
  url: z.url().optional(),
  key: z.string().min(1).optional(),
});

const neo4jSchema = z.strictObject({
  uri: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
});

export const configSchema = z.strictObject({
  monitor: monitorSchema.default(() => monitorSchema.parse({})),
  drills: drillsSchema.default(() => drillsSchema.parse({})),
  detection: detectionSchema.default(() => detectionSchema.parse({})),
  llm: llmSchema.default(() => llmSchema.parse({})),
  api: apiSchema.default({}),
  neo4j: neo4jSchema.default({}),
});

export type FiredrillConfig = z.infer<typeof configSchema>;
export type DrillsConfig = FiredrillConfig['drills'];
export type MonitorConfig = FiredrillConfig['monitor'];
export type DetectionConfig = FiredrillConfig['detection'];
export type Expectation = z.infer<typeof expectationSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function defaultConfig(): FiredrillConfig {
  return configSchema.parse({});
}

/** Validates already-parsed YAML; errors name the file and the key ("drills.cpu_spike.threshold_percent"). */
export function parseConfig(raw: unknown, file = 'config'): FiredrillConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const where = key ? `${key}.` : '';
      return `unknown key ${issue.keys.map((name) => `"${where}${name}"`).join(', ')}`;
    }
    return `${key || '(top level)'}: ${issue.message}`;
  });
  throw new ConfigError(`${file}: ${lines.join('; ')}`);
}

/**
 * Loads the config file. A missing file at the default location means defaults; a missing file
 * that the user named with --config is an error.
 */
export function loadConfig(file: string, { required = false } = {}): FiredrillConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return defaultConfig();
    throw new ConfigError(`${file}: cannot read the config file (${(error as Error).message})`);
  }
  // The YAML parser is loaded only when there is a file to read: it is a tenth of the console's
  // start-up otherwise.
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  let raw: unknown;
  try {
    raw = yaml.parse(text);
  } catch (error) {
    const detail = error instanceof yaml.YAMLParseError ? error.message.split('\n')[0] : (error as Error).message;
    throw new ConfigError(`${file}: not valid YAML: ${detail}`);
  }
  return parseConfig(raw, file);
}

/** The directory disk_fill writes in. */
export function diskFillDirectory(config: DrillsConfig): string {
  return config.disk_fill.directory ?? os.tmpdir();
}
