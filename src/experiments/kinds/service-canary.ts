import { z } from 'zod';
import { CanaryProgram } from '../../supervise/canary.js';
import { Supervisor } from '../../supervise/supervisor.js';
import { describeSupervision, supervisionFields, supervisorOptionsFrom, type SupervisionSpec } from './supervision.js';
import { SERVICE_ID } from './common.js';
import type { ExperimentService, ServiceKind } from './types.js';

const schema = z.strictObject({
  id: SERVICE_ID,
  kind: z.literal('canary'),
  ...supervisionFields,
});

type CanarySpec = z.infer<typeof schema>;

/** The canary HTTP service on loopback under the supervisor: the system under test that needs nothing outside. */
export const canaryService: ServiceKind<CanarySpec> = {
  kind: 'canary',
  schema,
  endpointKeys: ['url', 'host', 'port', 'pid'],
  risk: () => 'low',
  describe: (spec) => `the canary HTTP service on loopback, ${describeSupervision(spec as SupervisionSpec)}`,
  create(spec, context) {
    const program = new CanaryProgram({ name: `the canary "${spec.id}"` });
    const supervisor = new Supervisor(program, supervisorOptionsFrom(spec, context.ledger, () => program.healthy()));
    const service: ExperimentService = {
      id: spec.id,
      supervisor,
      label: () => `the canary "${spec.id}" on 127.0.0.1:${program.boundPort()}`,
      endpoints: () => ({
        url: `http://127.0.0.1:${program.boundPort()}`,
        host: '127.0.0.1',
        port: String(program.boundPort()),
        pid: String(supervisor.pid() ?? ''),
      }),
      start: () => supervisor.start(),
      stop: () => supervisor.stop(),
    };
    return service;
  },
};
