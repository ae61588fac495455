import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ProxyControlClient } from '../../proxy/control.js';
import { describeToxic, normalizeToxics, toxicInputSchema, type Toxic } from '../../proxy/toxics.js';
import { SERVICE_ID, TEMPLATED, referencesIn } from './common.js';
import { sandboxOf } from './service-postgres-sandbox.js';
import type { FaultKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('network'),
    /** A postgres_sandbox: the toxics go on its proxy, between the demo app and PostgreSQL. */
    service: SERVICE_ID.optional(),
    /** Or the control endpoint of a `firedrill proxy` the user runs in front of their own dependency. */
    control: TEMPLATED.optional(),
    toxics: z.array(toxicInputSchema).min(1).max(8),
  })
  .refine((spec) => (spec.service === undefined) !== (spec.control === undefined), {
    message: 'give either service or control',
    path: ['service'],
  });

type NetworkSpec = z.infer<typeof schema>;

/**
 * Run by `firedrill cleanup` when firedrill died with toxics in place: removes them by name. A proxy
 * that is gone took its toxics along (the sandbox's dies with firedrill): nothing left to undo.
 */
const UNDO_SCRIPT = `
const [url, ...names] = process.argv.slice(1);
(async () => {
  for (const name of names) {
    try {
      const response = await fetch(url + '/toxics/' + name, { method: 'DELETE', signal: AbortSignal.timeout(5000) });
      if (!response.ok && response.status !== 404) process.exit(1);
    } catch (error) {
      if (error.cause && error.cause.code === 'ECONNREFUSED') return;
      process.exit(1);
    }
  }
})();
`;

/** Toxics on a fault proxy for the step's duration (latency, resets, a partition, a bandwidth limit...). */
export const networkFault: FaultKind<NetworkSpec> = {
  kind: 'network',
  schema: schema as unknown as z.ZodObject,
  mode: 'held',
  risk: () => 'medium',
  describe: (spec) =>
    `${normalizeToxics(spec.toxics).map(describeToxic).join(', ')} through ${spec.service !== undefined ? `the proxy of "${spec.service}"` : spec.control}`,
  serviceRefs: (spec) => (spec.service !== undefined ? [spec.service] : referencesIn(spec.control ?? '').map((ref) => ref.id)),
  create(spec, context) {
    let client: ProxyControlClient | undefined;
    let added: Toxic[] = [];
    let undoId: string | undefined;
    return {
      async start() {
        const url = spec.service !== undefined ? sandboxOf(context, spec.service).sandbox().endpoints().proxy_control : context.resolve(spec.control as string);
        client = new ProxyControlClient(url);
        // Names of this fault's own, so that stop() and the undo remove these toxics and no other.
        const tag = `fd${randomBytes(3).toString('hex')}`;
        added = normalizeToxics(spec.toxics).map((toxic) => ({ ...toxic, name: `${tag}_${toxic.name}`.slice(0, 64) }));
        undoId = await context.ledger.addUndo(
          [process.execPath, '-e', UNDO_SCRIPT, '--', url, ...added.map((toxic) => toxic.name)],
          `remove the toxics ${added.map((toxic) => toxic.name).join(', ')} from the proxy at ${url}`,
        );
        await client.add(added);
        context.progress(`toxics on ${url}: ${added.map(describeToxic).join('; ')}`);
      },
      async stop() {
        if (client) {
          for (const toxic of added) await client.remove(toxic.name).catch(() => undefined);
          const left = (await client.state().catch(() => undefined))?.toxics.filter((toxic) => added.some((mine) => mine.name === toxic.name)) ?? [];
          if (left.length > 0) throw new Error(`the proxy at ${client.url} still holds ${left.map((toxic) => toxic.name).join(', ')}`);
          context.progress(`toxics removed from ${client.url}`);
        }
        added = [];
        if (undoId !== undefined) await context.ledger.removeUndo(undoId);
        undoId = undefined;
      },
    };
  },
};
