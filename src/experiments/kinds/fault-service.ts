import { existsSync } from 'node:fs';
import { z } from 'zod';
import { CommandService, SystemdService, type ServiceControl } from '../../drills/services.js';
import { SERVICE_ID, SHELL_COMMAND } from './common.js';
import type { Fault, FaultKind, KindContext } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('service_stop'),
    /** A service this experiment started (the canary): stopped as `systemctl stop` would, so its supervisor does not restart it. */
    service: SERVICE_ID.optional(),
    /** Your own service, through its commands. */
    command: z.strictObject({ stop: SHELL_COMMAND, start: SHELL_COMMAND }).optional(),
    /** A systemd unit (refused where systemd is not running). */
    systemd: z
      .strictObject({
        unit: z.string().regex(/^[A-Za-z0-9:_.@\\-]{1,256}$/, 'expected a systemd unit name'),
        user: z.boolean().default(false),
      })
      .optional(),
    /** Bound on each stop and start. */
    timeout_seconds: z.number().positive().max(600).default(30),
  })
  .refine((spec) => [spec.service, spec.command, spec.systemd].filter((value) => value !== undefined).length === 1, {
    message: 'expected exactly one of service, command or systemd',
    path: [],
  });

type ServiceStopSpec = z.infer<typeof schema>;

function target(spec: ServiceStopSpec): string {
  if (spec.service !== undefined) return `the service "${spec.service}"`;
  if (spec.command !== undefined) return `\`${spec.command.stop}\``;
  return `the systemd${spec.systemd!.user ? ' user' : ''} unit ${spec.systemd!.unit}`;
}

/**
 * Stops a service for the step's duration, then starts it again. A service firedrill did not
 * start (your commands, a systemd unit) gets its start recorded in the ledger before the stop, so
 * that `firedrill cleanup` (or the next start) starts it again if firedrill is killed meanwhile.
 */
export const serviceStopFault: FaultKind<ServiceStopSpec> = {
  kind: 'service_stop',
  schema: schema as unknown as z.ZodObject,
  mode: 'held',
  // The canary is firedrill's own; anything else is a real service the user depends on.
  risk: (spec) => (spec.service !== undefined ? 'low' : 'medium'),
  describe: (spec) => `stop ${target(spec)}, start it again at the end`,
  serviceRefs: (spec) => (spec.service !== undefined ? [spec.service] : []),
  check: (spec) =>
    spec.systemd !== undefined && !existsSync('/run/systemd/system')
      ? 'systemd is not running on this machine (/run/systemd/system is missing)'
      : null,
  create(spec, context) {
    if (spec.service !== undefined) return ownServiceStop(spec.service, context);
    const timeoutMs = spec.timeout_seconds * 1000;
    if (spec.command !== undefined) {
      const { start, stop } = spec.command;
      return outsideServiceStop(new CommandService({ start, stop, health: 'true' }, timeoutMs), ['/bin/sh', '-c', start], context);
    }
    const { unit, user } = spec.systemd!;
    return outsideServiceStop(new SystemdService(unit, user, timeoutMs), ['systemctl', ...(user ? ['--user'] : []), 'start', unit], context);
  },
};

function ownServiceStop(id: string, context: KindContext): Fault {
  let stopped = false;
  return {
    async start() {
      const service = context.service(id);
      stopped = true;
      if (service.pause) await service.pause();
      else if (service.supervisor) await service.supervisor.stop();
      else throw new Error(`${service.label()} cannot be stopped and started by firedrill`);
      context.progress(`stopped ${service.label()}`);
    },
    async stop() {
      if (!stopped) return;
      stopped = false;
      const service = context.service(id);
      if (service.resume) await service.resume();
      else await service.supervisor?.start();
      context.progress(`started ${service.label()} again`);
    },
  };
}

function outsideServiceStop(control: ServiceControl, startArgv: string[], context: KindContext): Fault {
  let undoId: string | undefined;
  return {
    async start() {
      undoId = await context.ledger.addUndo(startArgv, `start ${control.label()} again`);
      await control.stop();
      context.progress(`stopped ${control.label()}`);
    },
    async stop() {
      if (undoId === undefined) return;
      await control.start();
      await context.ledger.removeUndo(undoId);
      undoId = undefined;
      context.progress(`started ${control.label()} again`);
    },
  };
}
