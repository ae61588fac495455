import type http from 'node:http';
import { WorkloadCapacityError, type WorkloadManager } from '../workloads/manager.js';
import { CHAOS_ACTIONS } from '../workloads/types.js';
import { chaosTrigger, createWorkloadBodySchema, toWireChaos, toWireWorkload } from '../workloads/wire.js';
import { WorkloadError } from '../workloads/workload.js';
import { HttpError, readBody, sendJson, type Route } from './server.js';

/**
 * The workload routes of `firedrill serve`, under /api/v1/workloads, behind the same key as the
 * incident API: profiles, create (and start), start, stop, status, and the chaos triggers, which
 * only ever touch the processes of the workload named in the path.
 */

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

function workloadOr404(manager: WorkloadManager, id: string) {
  const entry = manager.get(id);
  if (!entry) throw new HttpError(404, `workload "${id}" not found`);
  return entry;
}

/** Engine refusals are the caller's problem (409: the workload is not in a state for it, or nothing matched). */
function asHttpError(error: unknown): never {
  if (error instanceof WorkloadCapacityError) throw new HttpError(429, error.message, { 'retry-after': '5' });
  if (error instanceof WorkloadError) throw new HttpError(409, error.message);
  throw error;
}

export function workloadRoutes(manager: WorkloadManager): Route[] {
  const chaosRoutes: Route[] = CHAOS_ACTIONS.map((action) => ({
    template: `/api/v1/workloads/{id}/chaos/${action}`,
    pattern: new RegExp(`^/workloads/([^/]+)/chaos/${action}$`),
    methods: {
      POST: async (request, response, id) => {
        const entry = workloadOr404(manager, id);
        const parsed = chaosTrigger(action, parseJson(await readBody(request)));
        if ('error' in parsed) throw new HttpError(400, `invalid ${action} body: ${parsed.error}`);
        try {
          sendJson(response, 200, { workload_id: entry.workload.id, ...toWireChaos(entry.workload.chaos(parsed.trigger)) });
        } catch (error) {
          asHttpError(error);
        }
      },
    },
  }));
  return [
    {
      template: '/api/v1/workloads/profiles',
      pattern: /^\/workloads\/profiles$/,
      methods: {
        GET: async (_request, response) => {
          const { profiles, errors } = manager.profiles();
          sendJson(response, 200, {
            profiles: profiles.map((profile) => ({
              id: profile.id,
              title: profile.title,
              description: profile.description,
              processes: profile.processes,
              churn_per_minute: profile.churnPerMinute,
              kinds: profile.kinds.map((kind) => ({ id: kind.id, name: kind.name, priority: kind.priority, cpu: kind.cpu, memory: kind.memory })),
            })),
            errors,
          });
        },
      },
    },
    {
      template: '/api/v1/workloads',
      pattern: /^\/workloads$/,
      methods: {
        GET: async (_request, response) => sendJson(response, 200, manager.list().map((entry) => toWireWorkload(entry, 0))),
        POST: async (request: http.IncomingMessage, response) => {
          const parsed = createWorkloadBodySchema.safeParse(parseJson(await readBody(request)));
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            const field = [...issue.path.map(String), ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]] : [])].join('.');
            throw new HttpError(400, `invalid request body: ${field || 'body'}: ${issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message}`);
          }
          const body = parsed.data;
          try {
            const entry = manager.create({
              profile: body.profile,
              ...(body.processes === undefined ? {} : { processes: body.processes }),
              ...(body.duration_seconds === undefined ? {} : { durationMs: body.duration_seconds * 1000 }),
              ...(body.seed === undefined ? {} : { seed: body.seed }),
            });
            if (body.start) {
              try {
                manager.start(entry.workload.id);
              } catch (error) {
                manager.discard(entry.workload.id);
                throw error;
              }
            }
            sendJson(response, 201, toWireWorkload(entry));
          } catch (error) {
            asHttpError(error);
          }
        },
      },
    },
    {
      template: '/api/v1/workloads/{id}',
      pattern: /^\/workloads\/([^/]+)$/,
      methods: {
        GET: async (request, response, id) => {
          const top = Number(new URL(request.url ?? '/', 'http://localhost').searchParams.get('top') ?? 10);
          if (!Number.isInteger(top) || top < 0 || top > 1000) throw new HttpError(400, `top must be a whole number from 0 to 1000, got "${top}"`);
          sendJson(response, 200, toWireWorkload(workloadOr404(manager, id), top));
        },
      },
    },
    {
      template: '/api/v1/workloads/{id}/start',
      pattern: /^\/workloads\/([^/]+)\/start$/,
      methods: {
        POST: async (_request, response, id) => {
          workloadOr404(manager, id);
          try {
            sendJson(response, 200, toWireWorkload(manager.start(id)!));
          } catch (error) {
            asHttpError(error);
          }
        },
      },
    },
    {
      template: '/api/v1/workloads/{id}/stop',
      pattern: /^\/workloads\/([^/]+)\/stop$/,
      methods: {
        POST: async (_request, response, id) => {
          const stopped = await manager.stop(id);
          if (!stopped) throw new HttpError(404, `workload "${id}" not found`);
          sendJson(response, 200, {
            status: 'stopped',
            workload_id: id,
            details: { previous_status: stopped.previousStatus, ...toWireWorkload(stopped.entry, 0) },
          });
        },
      },
    },
    ...chaosRoutes,
  ];
}
