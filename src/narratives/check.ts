import { request } from 'undici';
import { z } from 'zod';
import type { LlmSettings } from '../analysis/select.js';
import { DrillLockError, acquireDrillLock } from '../drills/lock.js';
import { openLedger } from '../drills/ledger.js';
import { isLinux, LINUX_ONLY_MESSAGE } from '../drills/proc.js';
import { createDrills } from '../drills/registry.js';
import { describeNetworkError } from '../http/network-error.js';
import { displayUrl, endpointUrl } from '../http/url.js';
import { findScenario } from '../incidents/load.js';
import { createLiveFault } from '../live/faults.js';
import { resolveEndpoint } from '../monitor/alerts/detector.js';
import { MonitoringClient, type MonitoringEndpoint } from '../monitor/alerts/http.js';
import type { FiredrillPaths } from '../paths.js';
import { drillsConfigFor, type DemoSetup } from './effects.js';
import { drillsOf, isDrillRun, isIncidentRun, isLiveRun, type Narrative } from './schema.js';

/**
 * Go / no-go before going on stage: answers in seconds and loads nothing. Every item says what
 * was checked and, when it is not a go, why. A missing optional service is a go with the
 * narrative's fallback line; a required one missing, or a configured one that does not answer, is
 * a no-go.
 */

export type CheckStatus = 'go' | 'no-go' | 'note';

export interface CheckItem {
  status: CheckStatus;
  what: string;
  detail: string;
}

export interface CheckReport {
  narrative: string;
  go: boolean;
  items: CheckItem[];
  seconds: number;
}

/** What a presentation would run with (no sampler: nothing is loaded), and the terminal. */
export interface CheckSetup extends Omit<DemoSetup, 'sampler' | 'pace'> {
  /** The presenter's terminal, when stdout is one. */
  terminal: { columns: number; rows: number } | null;
  /** Per network check; default 5 s. */
  timeoutMs?: number;
}

const rulesSchema = z.object({
  status: z.literal('success'),
  data: z.object({ groups: z.array(z.object({ rules: z.array(z.object({ name: z.string(), type: z.string().optional() })) })) }),
});
const alertmanagerStatusSchema = z.object({ versionInfo: z.object({ version: z.string() }).partial().optional() });

export async function checkNarrative(narrative: Narrative, setup: CheckSetup): Promise<CheckReport> {
  const started = Date.now();
  const items: CheckItem[] = [];
  const add = (status: CheckStatus, what: string, detail: string) => items.push({ status, what, detail });
  add('go', 'narrative', `${narrative.file}: valid, ${narrative.scenes.length} scenes, ${narrative.planned_minutes} min planned`);

  const timeoutMs = setup.timeoutMs ?? 5000;
  const requires = narrative.requires;
  const loads = narrative.scenes.some((scene) => scene.run && (isDrillRun(scene.run) || isLiveRun(scene.run)));
  if (requires.drills || loads) {
    if (!isLinux()) add('no-go', 'this machine', LINUX_ONLY_MESSAGE);
    else add('go', 'this machine', 'Linux: drills and live faults can run here');
    items.push(await checkLock(setup.paths));
  }

  for (const [index, scene] of narrative.scenes.entries()) {
    const run = scene.run;
    if (!run) continue;
    const label = `scene ${index + 1} (${scene.title})`;
    if (isIncidentRun(run)) {
      if (findScenario(run.incident, setup.scenarios)) add('go', label, `incident scenario ${run.incident} is here`);
      else add('no-go', label, `no incident scenario "${run.incident}" (firedrill scenarios lists them)`);
      continue;
    }
    if (!isLinux()) continue;
    if (isDrillRun(run)) {
      const drillsConfig = drillsConfigFor(setup.config, run.settings as Record<string, unknown> | undefined);
      const drills = createDrills(drillsConfig, setup.paths);
      const refusals: string[] = [];
      const warnings: string[] = [];
      for (const name of drillsOf(run)) {
        const refusal = await drills[name].preflight();
        if (refusal) refusals.push(refusal);
        const warning = drills[name].riskWarning();
        if (warning) warnings.push(warning);
      }
      if (refusals.length > 0) add('no-go', label, refusals.join('; '));
      else add('go', label, `${drillsOf(run).join(', ')}: preflight passed (disk guard, memory room)${warnings.length > 0 ? `; note: ${warnings.join('; ')}` : ''}`);
      continue;
    }
    const fault = createLiveFault(run.live, { ledger: openLedger(setup.paths), drills: setup.config.drills });
    const refusal = await fault.preflight();
    if (refusal) add('no-go', label, refusal);
    else add('go', label, `live incident with ${fault.title}: preflight passed`);
  }

  items.push(await checkLlm(narrative, setup.llm, timeoutMs));
  items.push(...(await checkMonitoring(narrative, setup, timeoutMs)));

  const terminal = setup.terminal;
  const needed = requires.terminal;
  if (!terminal) add('note', 'terminal', `not a terminal here: the screens need ${needed.columns}x${needed.rows}; run the check in the terminal you will present from`);
  else if (terminal.columns < needed.columns || terminal.rows < needed.rows) {
    add('no-go', 'terminal', `${terminal.columns}x${terminal.rows} is smaller than the ${needed.columns}x${needed.rows} the screens need: enlarge the window or the font size down`);
  } else add('go', 'terminal', `${terminal.columns}x${terminal.rows} (needs ${needed.columns}x${needed.rows})`);

  return { narrative: narrative.id, go: items.every((item) => item.status !== 'no-go'), items, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/** The drill lock is free: no other firedrill is loading this machine (taken and given back at once). */
async function checkLock(paths: FiredrillPaths): Promise<CheckItem> {
  try {
    const lock = await acquireDrillLock(paths);
    lock.release();
    return { status: 'go', what: 'drill lock', detail: 'free: no other firedrill is running drills with this data dir' };
  } catch (error) {
    if (error instanceof DrillLockError) return { status: 'no-go', what: 'drill lock', detail: error.message };
    return { status: 'no-go', what: 'drill lock', detail: `cannot take it: ${(error as Error).message}` };
  }
}

/** A tiny request (one token) to the configured LLM. */
async function checkLlm(narrative: Narrative, llm: LlmSettings | null, timeoutMs: number): Promise<CheckItem> {
  const need = narrative.requires.llm;
  const what = 'LLM';
  if (!llm) {
    if (need === 'required') return { status: 'no-go', what, detail: 'this narrative needs an LLM: give --llm-url (or set FIREDRILL_LLM_URL, or llm.url in the config file)' };
    return { status: need === 'none' ? 'note' : 'go', what, detail: narrative.fallbacks.llm ?? 'none configured: the built-in analyzer answers' };
  }
  const shown = displayUrl(llm.url);
  try {
    const response = await request(endpointUrl(llm.url, '/chat/completions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {}) },
      body: JSON.stringify({ model: llm.model, messages: [{ role: 'user', content: 'Reply with OK.' }], max_tokens: 1, stream: false }),
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await response.body.text().catch(() => '');
    if (response.statusCode >= 200 && response.statusCode < 300) return { status: 'go', what, detail: `${llm.model} at ${shown} answered` };
    return { status: 'no-go', what, detail: `${llm.model} at ${shown} answered HTTP ${response.statusCode}${need === 'optional' ? ' (the built-in analyzer would stand in, labelled)' : ''}` };
  } catch (error) {
    return { status: 'no-go', what, detail: `${shown} did not answer: ${describeNetworkError(error)}${need === 'optional' ? ' (the built-in analyzer would stand in, labelled)' : ''}` };
  }
}

/** The alert names a narrative waits for (null: any alert). */
function awaitedAlerts(narrative: Narrative): (string | null)[] {
  return narrative.scenes.flatMap((scene) => (scene.until?.kind === 'alert' ? [scene.until.name] : []));
}

async function checkMonitoring(narrative: Narrative, setup: CheckSetup, timeoutMs: number): Promise<CheckItem[]> {
  const items: CheckItem[] = [];
  const flags = setup.monitoringFlags ?? {};
  for (const source of ['prometheus', 'alertmanager'] as const) {
    const need = narrative.requires[source];
    const what = source === 'prometheus' ? 'Prometheus' : 'Alertmanager';
    let endpoint: MonitoringEndpoint | undefined;
    try {
      endpoint =
        source === 'prometheus'
          ? resolveEndpoint('PROMETHEUS', '--prometheus', flags.prometheusUrl, setup.env, setup.config.detection.prometheus)
          : resolveEndpoint('ALERTMANAGER', '--alertmanager', flags.alertmanagerUrl, setup.env, setup.config.detection.alertmanager);
    } catch (error) {
      items.push({ status: 'no-go', what, detail: (error as Error).message });
      continue;
    }
    if (!endpoint) {
      if (need === 'none') continue;
      if (need === 'required') items.push({ status: 'no-go', what, detail: `this narrative needs ${what}: give --${source} URL (or set FIREDRILL_${source.toUpperCase()}_URL)` });
      else items.push({ status: 'go', what, detail: narrative.fallbacks[source] ?? `none configured: the built-in monitor stands in` });
      continue;
    }
    const client = new MonitoringClient(what, endpoint, timeoutMs);
    try {
      if (source === 'prometheus') {
        const rules = await client.getJson('/api/v1/rules', rulesSchema, 'rules API', undefined, { type: 'alert' });
        const names = new Set(rules.data.groups.flatMap((group) => group.rules.map((rule) => rule.name)));
        const awaited = awaitedAlerts(narrative);
        const missing = awaited.filter((name): name is string => name !== null && !names.has(name));
        if (missing.length > 0) items.push({ status: 'no-go', what, detail: `${client.label} answers, but has no alerting rule ${missing.join(', ')} (the narrative waits for it)` });
        else if (awaited.length > 0 && names.size === 0) items.push({ status: 'no-go', what, detail: `${client.label} answers, but has no alerting rule loaded (the narrative waits for an alert)` });
        else items.push({ status: 'go', what, detail: `${client.label} answers, ${names.size} alerting rule${names.size === 1 ? '' : 's'} loaded` });
      } else {
        await client.getJson('/api/v2/status', alertmanagerStatusSchema, 'status API');
        items.push({ status: 'go', what, detail: `${client.label} answers` });
      }
    } catch (error) {
      items.push({ status: 'no-go', what, detail: (error as Error).message });
    } finally {
      await client.close();
    }
  }
  return items;
}
