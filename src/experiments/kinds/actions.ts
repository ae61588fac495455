import { z } from 'zod';
import { SERVICE_ID, SHELL_COMMAND, describeShellRun, referencesIn, runShell } from './common.js';
import type { ActionKind } from './types.js';

const commandSchema = z.strictObject({
  kind: z.literal('command'),
  run: SHELL_COMMAND,
  exit_code: z.number().int().min(0).max(255).default(0),
  timeout_seconds: z.number().positive().max(600).default(30),
});

type CommandActionSpec = z.infer<typeof commandSchema>;

/** A shell command, e.g. a rollback that restores a config file. */
export const commandAction: ActionKind<CommandActionSpec> = {
  kind: 'command',
  schema: commandSchema,
  risk: () => 'low',
  describe: (spec) => `run \`${spec.run.length > 60 ? `${spec.run.slice(0, 57)}...` : spec.run}\``,
  serviceRefs: (spec) => referencesIn(spec.run).map((ref) => ref.id),
  create(spec, context) {
    const command = context.resolve(spec.run);
    const timeoutMs = spec.timeout_seconds * 1000;
    return {
      async run(signal) {
        const run = await runShell(command, timeoutMs, signal);
        const detail = describeShellRun(run, timeoutMs);
        if (run.timedOut || run.code !== spec.exit_code) throw new Error(`\`${command}\`: ${detail}, expected exit ${spec.exit_code}`);
        return `\`${command}\`: ${detail}`;
      },
    };
  },
};

const serviceStartSchema = z.strictObject({
  kind: z.literal('service_start'),
  service: SERVICE_ID,
});

type ServiceStartSpec = z.infer<typeof serviceStartSchema>;

/** Starts one of the experiment's services again if it is not running (after a stop or a give-up). */
export const serviceStartAction: ActionKind<ServiceStartSpec> = {
  kind: 'service_start',
  schema: serviceStartSchema,
  risk: () => 'low',
  describe: (spec) => `start the service "${spec.service}" if it is down`,
  serviceRefs: (spec) => [spec.service],
  create(spec, context) {
    return {
      async run() {
        const service = context.service(spec.service);
        const state = service.supervisor?.state();
        if (state === 'running') return `${service.label()} was running`;
        if (service.resume) await service.resume();
        else if (service.supervisor) await service.supervisor.start();
        else throw new Error(`${service.label()} cannot be started by firedrill`);
        return `started ${service.label()}`;
      },
    };
  },
};
