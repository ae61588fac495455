import { z } from 'zod';
import { SHELL_COMMAND, TIMEOUT_SECONDS, describeShellRun, referencesIn, runShell } from './common.js';
import type { ProbeKind } from './types.js';

const schema = z.strictObject({
  kind: z.literal('command'),
  /** A shell command line; may refer to a service (`${canary.port}`). */
  run: SHELL_COMMAND,
  exit_code: z.number().int().min(0).max(255).default(0),
  timeout_seconds: TIMEOUT_SECONDS.default(5),
});

type CommandSpec = z.infer<typeof schema>;

/** A command's exit code: within tolerance when it is the expected one. */
export const commandProbe: ProbeKind<CommandSpec> = {
  kind: 'command',
  measuresLatency: false,
  schema,
  describe: (spec) => `\`${spec.run.length > 60 ? `${spec.run.slice(0, 57)}...` : spec.run}\` exits ${spec.exit_code}`,
  serviceRefs: (spec) => referencesIn(spec.run).map((ref) => ref.id),
  create(spec, context) {
    const command = context.resolve(spec.run);
    const timeoutMs = spec.timeout_seconds * 1000;
    return {
      async run(signal) {
        try {
          const run = await runShell(command, timeoutMs, signal);
          const ok = !run.timedOut && run.code === spec.exit_code;
          return { ok, latencyMs: run.ms, ...(run.code !== null ? { value: run.code } : {}), detail: describeShellRun(run, timeoutMs) };
        } catch (error) {
          return { ok: false, latencyMs: 0, detail: (error as Error).message };
        }
      },
    };
  },
};
