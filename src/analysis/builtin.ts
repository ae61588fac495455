import { setTimeout as sleep } from 'node:timers/promises';
import {
  coLocatedWorkloads,
  dependencies,
  describeAgo,
  isRecord,
  recentAlerts,
  recentChanges,
  recentDeployments,
  recentEvents,
  records,
  within,
  type ContextDeployment,
} from '../incidents/context.js';
import type {
  AnalysisEvent,
  AnalysisInput,
  Analyzer,
  Evidence,
  Hypothesis,
  Scenario,
  ScenarioMetric,
} from '../incidents/types.js';
import { byConfidence } from '../incidents/rank.js';
import { actionsForCategory } from './actions.js';
import { confidenceFor, isAnomalousMetric } from './confidence.js';
import { HOST_RULES } from './host-rules.js';
import type { RootCause } from './root-causes.js';

/**
 * The built-in analyzer: deterministic, offline, evidence-based. Each rule below recognises one
 * kind of root cause from what an on-call engineer would look at (which metrics are anomalous, in
 * which direction and with which shape, and what changed recently), and cites that evidence.
 * Rules read metric names, patterns and context, never scenario ids, so that a new scenario file
 * is analysed on its merits. Confidence comes from the shared formula (confidence.ts).
 */

export interface BuiltinAnalyzerOptions {
  /** Pause between streamed pieces of text, so that a console shows the hypotheses being written. 0 in tests. */
  pieceDelayMs?: number;
}

const MAX_HYPOTHESES = 4;
const DEFAULT_PIECE_DELAY_MS = 25;

export class BuiltinAnalyzer implements Analyzer {
  readonly source = 'built-in';
  private readonly pieceDelayMs: number;

  constructor(options: BuiltinAnalyzerOptions = {}) {
    this.pieceDelayMs = options.pieceDelayMs ?? DEFAULT_PIECE_DELAY_MS;
  }

  async *analyze(input: AnalysisInput, signal: AbortSignal): AsyncGenerator<AnalysisEvent> {
    yield { type: 'source', source: this.source };
    const hypotheses = rankHypotheses(input.scenario);
    for (const [index, hypothesis] of hypotheses.entries()) {
      for (const piece of textPieces(`${hypothesis.description}. ${hypothesis.reasoning}`)) {
        if (signal.aborted) return;
        yield { type: 'hypothesis-text', index, text: piece };
        await this.pause(signal);
      }
      if (signal.aborted) return;
      yield { type: 'hypothesis', index, hypothesis };
    }
    const actions = hypotheses[0] ? actionsForCategory(hypotheses[0].category, input.scenario) : [];
    for (const action of actions) {
      if (signal.aborted) return;
      yield { type: 'action', action };
      await this.pause(signal);
    }
    if (signal.aborted) return;
    yield { type: 'analysis-finished', source: this.source, hypotheses, actions };
  }

  private async pause(signal: AbortSignal): Promise<void> {
    if (this.pieceDelayMs <= 0) return;
    await sleep(this.pieceDelayMs, undefined, { signal }).catch(() => undefined);
  }
}

/** A few words at a time, as a model would stream them. */
function textPieces(text: string): string[] {
  const words = text.split(/(?<=\s)/);
  const pieces: string[] = [];
  for (let index = 0; index < words.length; index += 4) pieces.push(words.slice(index, index + 4).join(''));
  return pieces;
}

/** Every hypothesis the rules support, most confident first (at most four). */
export function rankHypotheses(scenario: Scenario): Hypothesis[] {
  const signals = new Signals(scenario);
  const candidates = RULES.map((rule) => rule(signals)).filter((candidate): candidate is Candidate => candidate !== undefined);
  const unexplainedDeployment = recentDeploymentCandidate(signals, candidates);
  if (unexplainedDeployment) candidates.push(unexplainedDeployment);
  if (candidates.length === 0) candidates.push(fallbackCandidate(signals));
  return byConfidence(candidates.map((candidate) => ({ ...candidate, confidence: confidenceFor(candidate, scenario) })))
    // One hypothesis per root cause: the best-supported account of it (a machine's own rules and the
    // service-level ones can describe the same cause).
    .filter((candidate, index, all) => all.findIndex((other) => other.category === candidate.category) === index)
    .slice(0, MAX_HYPOTHESES)
    .map(({ description, category, confidence, evidence, reasoning }) => ({ description, category, confidence, evidence, reasoning }));
}

export interface Candidate {
  category: RootCause;
  description: string;
  evidence: Evidence[];
  reasoning: string;
}

export type Rule = (signals: Signals) => Candidate | undefined;

/** What the rules look at: the scenario's metrics by name, direction and shape, and its context. */
export class Signals {
  readonly deployments: ContextDeployment[];

  constructor(readonly scenario: Scenario) {
    this.deployments = recentDeployments(scenario.context);
  }

  get service(): string {
    return this.scenario.service;
  }

  /** Anomalous metrics whose name matches, moving up (or down). */
  up(name: RegExp, unless?: RegExp): ScenarioMetric[] {
    return this.anomalous(name, 1, unless);
  }

  down(name: RegExp, unless?: RegExp): ScenarioMetric[] {
    return this.anomalous(name, -1, unless);
  }

  /** Metrics that are there and within three sigmas: evidence by absence. */
  normal(name: RegExp): ScenarioMetric[] {
    return this.scenario.metrics.filter((metric) => name.test(metricKey(metric)) && !isAnomalousMetric(metric));
  }

  private anomalous(name: RegExp, direction: 1 | -1, unless?: RegExp): ScenarioMetric[] {
    return this.scenario.metrics.filter(
      (metric) => name.test(metricKey(metric)) && !unless?.test(metricKey(metric)) && isAnomalousMetric(metric) && directionOf(metric) === direction,
    );
  }

  /** Evidence that cites a metric: what it did, and why that matters here. */
  evidence(metric: ScenarioMetric, relevance: number, why?: string): Evidence {
    return evidenceFor(metric, relevance, why);
  }

  /** The latest deployment within `minutes`, if any. */
  deploymentWithin(minutes: number): ContextDeployment | undefined {
    return this.deployments
      .filter((deployment) => within(deployment.minutesAgo, minutes))
      .sort((a, b) => (a.minutesAgo ?? 0) - (b.minutesAgo ?? 0))[0];
  }
}

/** The name the rules read: OpenTelemetry's dots as the underscores of its Prometheus export (http.server.request.duration). */
function metricKey(metric: ScenarioMetric): string {
  return metric.name.replaceAll('.', '_');
}

function directionOf(metric: ScenarioMetric): 1 | -1 {
  if (metric.deviationSigma !== 0) return metric.deviationSigma > 0 ? 1 : -1;
  return metric.value >= metric.baseline ? 1 : -1;
}

// Metric families, by name. Rules combine them; the names follow Prometheus conventions.
// Names as the common exporters and conventions publish them, matched by what they measure:
// node_exporter, postgres_exporter (pg_), mysqld_exporter (mysql_), redis_exporter (keyspace),
// kube-state-metrics, cAdvisor (container_), Envoy (upstream_), ingress-nginx (a `requests`
// counter without _total), JVM Micrometer, and OpenTelemetry's dotted names (read with dots as
// underscores, see Signals).
const REQUEST_RATE = /requests?_(per_second|total|rate)|(^|_)requests(\{|$)|(^|_)rps$|throughput/;
const LATENCY = /duration|latency|response_time/;
const HTTP_LATENCY = /^http_.*(duration|latency|_seconds)|request_duration|response_time/;
const CPU_USAGE = /cpu_(usage|utili[sz]ation|seconds_total)/;
const SERVER_ERRORS = /status_5\d\d|5xx|server_errors/;
const DB_TIME = /^(?=.*(database|(^|_)db_|query|sql|(^|_)pg_|(^|_)mysql_)).*(duration|latency|seconds|time)/;
/** Waiting inside the database: slow queries, lock waits, deadlocks. */
const DB_CONTENTION = /slow_quer|lock_wait|row_lock|(^|_)locks_count|deadlock/;
const DB_CONNECTIONS = /((database|(^|_)db).*connections|connection_pool|pool_(active|used)|pg_stat_activity_count|numbackends|threads_(connected|running))/;
const CACHE_HITS = /(cache|keyspace).*hit/;
const CACHE_MISSES = /(cache|keyspace).*miss/;

function evidenceFor(metric: ScenarioMetric, relevance: number, why?: string): Evidence {
  return { signal: metric.name, observation: why ? `${observe(metric)}: ${why}` : observe(metric), relevance };
}

/** "memory_usage_bytes grew steadily from 2.0 GiB to 8.0 GiB (5.2σ)". */
export function observe(metric: ScenarioMetric): string {
  const from = formatValue(metric.baseline, metric.unit);
  const to = formatValue(metric.value, metric.unit);
  const sigma = `${metric.deviationSigma > 0 ? '+' : ''}${metric.deviationSigma}σ`;
  if (metric.pattern === 'constant' || !isAnomalousMetric(metric)) return `${metric.name} stays at ${to} (baseline ${from}, ${sigma})`;
  const up = directionOf(metric) === 1;
  const verb = {
    linear: up ? 'grew steadily' : 'fell steadily',
    step: up ? 'jumped' : 'dropped',
    spike: up ? 'spiked' : 'plunged',
    oscillating: up ? 'swings up to' : 'swings down to',
  }[metric.pattern];
  return metric.pattern === 'oscillating'
    ? `${metric.name} ${verb} ${to} from a baseline of ${from} (${sigma})`
    : `${metric.name} ${verb} from ${from} to ${to} (${sigma})`;
}

export function formatValue(value: number, unit: string): string {
  const round = (number: number) => Number(number.toPrecision(3)).toString();
  switch (unit) {
    case 'bytes':
      return value >= 2 ** 30 ? `${round(value / 2 ** 30)} GiB` : value >= 2 ** 20 ? `${round(value / 2 ** 20)} MiB` : `${round(value)} B`;
    case 'bytes/s':
      return value >= 1e6 ? `${round(value / 1e6)} MB/s` : value >= 1e3 ? `${round(value / 1e3)} kB/s` : `${round(value)} B/s`;
    case 'seconds':
      return Math.abs(value) < 1 && value !== 0 ? `${round(value * 1000)} ms` : `${round(value)} s`;
    case '%':
      return `${round(value)} %`;
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'bool':
      return value >= 0.5 ? 'true' : 'false';
    case 'ratio':
      return round(value);
    default:
      return `${round(value)} ${unit}`;
  }
}

function deploymentEvidence(deployment: ContextDeployment, relevance: number, why: string): Evidence {
  const changes = deployment.changes.length > 0 ? ` (${deployment.changes.join('; ')})` : '';
  return {
    signal: `recent_deployments[${deployment.version}]`,
    observation: `${deployment.version} deployed ${describeAgo(deployment.minutesAgo)}${changes}: ${why}`,
    relevance,
  };
}

const memoryLeak: Rule = (signals) => {
  // Memory that is available or free rising is the opposite of a leak (node_memory_MemAvailable_bytes);
  // one process's memory (labelled with its pid) is read by the host rules, which name the process.
  const memory = signals.up(/memory|heap|rss/, /avail|free|pid="/i);
  const growing = memory.filter((metric) => metric.pattern === 'linear');
  if (growing.length === 0) return undefined;
  const evidence = memory.map((metric) =>
    evidenceFor(metric, metric.pattern === 'linear' ? (/heap/.test(metric.name) ? 0.8 : 0.9) : 0.5, metric.pattern === 'linear' ? 'steady growth, not a burst' : 'not the steady growth of a leak'),
  );
  for (const metric of signals.up(/garbage|(^|_)gc(_|$)/)) evidence.push(evidenceFor(metric, 0.7, 'the collector works harder and frees less'));
  const deployment = signals.deploymentWithin(24 * 60);
  if (deployment) {
    const suspicious = deployment.changes.some((change) => /cache|pool|listener|connection|session|buffer|subscri/i.test(change));
    evidence.push(deploymentEvidence(deployment, suspicious ? 0.7 : 0.55, suspicious ? 'changes that hold resources; a slow leak surfaces hours after the release' : 'a slow leak surfaces hours after the release'));
  }
  return {
    category: 'memory_leak',
    description: `Memory leak in ${signals.service}: memory grows steadily until the pods are OOM-killed`,
    evidence,
    reasoning:
      'Memory rises in a straight line rather than in steps or bursts, while garbage collection runs more and reclaims less: objects stay reachable after use, the signature of a leak rather than of load.' +
      (deployment ? ` The growth fits a change shipped in ${deployment.version}.` : ''),
  };
};

const trafficSurge: Rule = (signals) => {
  const requests = signals.up(REQUEST_RATE);
  const saturation = [...signals.up(CPU_USAGE), ...signals.up(/queue|thread_pool|saturation/)];
  if (requests.length === 0) return undefined;
  if (saturation.length === 0) {
    // More requests that do not load the service: worth naming, and worth saying why it is unlikely.
    return {
      category: 'traffic_surge',
      description: `More traffic reaching ${signals.service}`,
      evidence: [
        ...requests.map((metric) => evidenceFor(metric, 0.4, 'more requests')),
        ...signals.normal(CPU_USAGE).map((metric) => evidenceFor(metric, 0.2, 'yet the CPU is not saturated')),
      ],
      reasoning: 'The request count rose, but nothing shows the service saturated by it: retries of failing calls inflate request counts this way, so the extra traffic is more likely a consequence than the cause.',
    };
  }
  const evidence = [
    ...requests.map((metric) => evidenceFor(metric, 0.9, 'more demand')),
    ...saturation.map((metric) => evidenceFor(metric, CPU_USAGE.test(metric.name) ? 0.85 : 0.75, 'the service is saturated')),
    ...signals.up(HTTP_LATENCY).map((metric) => evidenceFor(metric, 0.6, 'requests wait in the queue')),
  ];
  const event = recentEvents(signals.scenario.context).find((entry) => within(entry.minutesAgo, 120));
  if (event) {
    evidence.push({ signal: `recent_events[${event.kind}]`, observation: `${event.description || event.kind} ${describeAgo(event.minutesAgo)}: a source of the extra demand`, relevance: 0.85 });
  }
  const autoscaling = signals.scenario.context.autoscaling;
  if (isRecord(autoscaling) && autoscaling.enabled === false) {
    evidence.push({ signal: 'autoscaling', observation: 'autoscaling is disabled: capacity stayed where it was while demand grew', relevance: 0.6 });
  }
  return {
    category: 'traffic_surge',
    description: `Traffic surge saturating ${signals.service}: more requests than its pods can serve`,
    evidence,
    reasoning:
      'Request rate and CPU (or queued work) rose together at the same moment, so the service is overwhelmed by demand rather than slowed by a change of its own; latency comes from requests waiting for a free worker.' +
      (event ? ` The surge lines up with ${event.description || event.kind}.` : ''),
  };
};

const cpuSpike: Rule = (signals) => {
  const cpu = signals.up(CPU_USAGE);
  if (cpu.length === 0 || signals.up(REQUEST_RATE).length > 0 || signals.up(/steal|throttl/).length > 0) return undefined;
  return {
    category: 'cpu_spike',
    description: `CPU spike in ${signals.service} without more traffic: a hot code path`,
    evidence: [
      ...cpu.map((metric) => evidenceFor(metric, 0.8, 'without more requests')),
      ...signals.normal(REQUEST_RATE).map((metric) => evidenceFor(metric, 0.5, 'demand is unchanged')),
    ],
    reasoning: 'CPU rose while the request rate did not: each request costs more (a hot loop, a pathological regex, GC thrash), which more pods would only hide.',
  };
};

const databasePerformance: Rule = (signals) => {
  const slow = [...signals.up(DB_TIME), ...signals.up(DB_CONTENTION, DB_TIME)];
  const connections = signals.up(DB_CONNECTIONS);
  if (slow.length === 0 && connections.length === 0) return undefined;
  // When the cache hit ratio collapsed too, the database is more likely the victim than the cause.
  const victim = signals.down(CACHE_HITS).length + signals.up(CACHE_MISSES).length > 0;
  const evidence = [
    ...slow.map((metric) => evidenceFor(metric, victim ? 0.5 : 0.95, 'queries take far longer')),
    ...connections.map((metric) => evidenceFor(metric, victim ? 0.45 : 0.8, 'connections are held by slow queries')),
    ...signals.up(HTTP_LATENCY).slice(0, 2).map((metric) => evidenceFor(metric, 0.65, 'API latency follows query time')),
    ...signals.down(REQUEST_RATE).map((metric) => evidenceFor(metric, 0.55, 'fewer requests complete while workers wait on the database')),
  ];
  const database = signals.scenario.context.database;
  const poolSize = isRecord(database) && typeof database.pool_size === 'number' ? database.pool_size : undefined;
  const busiest = connections.reduce((max, metric) => Math.max(max, metric.value), 0);
  if (poolSize !== undefined && busiest >= 0.9 * poolSize) {
    evidence.push({ signal: 'database', observation: `${busiest} of a pool of ${poolSize} connections in use: the pool is nearly exhausted`, relevance: victim ? 0.45 : 0.75 });
  }
  const deployment = signals.deploymentWithin(24 * 60);
  const queryChange = deployment?.changes.some((change) => /query|queries|join|index|schema|sql|orm/i.test(change));
  if (deployment && queryChange) evidence.push(deploymentEvidence(deployment, victim ? 0.4 : 0.8, 'it changed the queries the service runs'));
  const engine = isRecord(database) && typeof database.engine === 'string' ? ` (${database.engine})` : '';
  return {
    category: 'database_performance',
    description: `Slow database queries${engine} hold connections and stall ${signals.service}'s requests`,
    evidence,
    reasoning: victim
      ? 'The database is slow and its pool is full, but the cache hit ratio collapsed at the same time: the database is more likely absorbing load the cache used to take than the cause.'
      : 'Query time stepped up and the connection pool filled, and API latency moved with it while throughput fell: requests are waiting on the database.' +
        (deployment && queryChange ? ` ${deployment.version} changed the queries (a missing index or a heavy JOIN).` : ''),
  };
};

const podCrashLoop: Rule = (signals) => {
  const restarts = signals.up(/restart|crash|oom_kill/);
  const notReady = signals.down(/ready|available/);
  if (restarts.length === 0 && notReady.length === 0) return undefined;
  const evidence = [
    ...restarts.map((metric) => evidenceFor(metric, 0.95, 'pods keep crashing')),
    ...notReady.map((metric) => evidenceFor(metric, 0.9, 'pods do not come back ready')),
    ...signals.down(REQUEST_RATE).map((metric) => evidenceFor(metric, 0.7, 'the remaining pods cannot carry the traffic')),
    ...signals.up(HTTP_LATENCY).map((metric) => evidenceFor(metric, 0.5, metric.pattern === 'oscillating' ? 'swings as pods come and go' : 'the surviving pods are overloaded')),
  ];
  const deployment = signals.deploymentWithin(120);
  if (!deployment) {
    return {
      category: 'crash_loop',
      description: `Pods of ${signals.service} are crash-looping with no recent deployment`,
      evidence,
      reasoning: 'Pods restart repeatedly, but nothing was deployed recently: look for an exhausted resource or a dependency the pods need at start-up.',
    };
  }
  evidence.push(deploymentEvidence(deployment, 0.9, 'the restarts began right after it'));
  const startupChanges = deployment.changes.filter((change) => /config|environment|variable|migration|secret|flag|setting/i.test(change));
  if (startupChanges.length > 0) {
    evidence.push({
      signal: `recent_deployments[${deployment.version}].changes`,
      observation: `changes that pods read at start-up: ${startupChanges.join('; ')}`,
      relevance: 0.85,
    });
  }
  return {
    category: 'deployment_issue',
    description: `Bad deployment ${deployment.version} of ${signals.service}: its pods crash at start-up`,
    evidence,
    reasoning:
      `Pods restart over and over and stay unready from just after ${deployment.version} went out.` +
      (startupChanges.length > 0 ? ' Its changes touch what a pod reads when it starts (configuration, environment, migrations), which fails on every restart.' : ' The timing points at the release.'),
  };
};

const dependencyFailure: Rule = (signals) => {
  const external = signals.up(/external|upstream|dependency|third_party/);
  const breaker = signals.up(/circuit_breaker|breaker_open/);
  const outsideDependency = dependencies(signals.scenario.context).find((entry) => entry.type === 'external');
  if (external.length === 0 && breaker.length === 0) {
    // No metric of the dependency itself, but failing outbound calls and an external dependency on record.
    const symptoms = [...signals.up(/outbound|connection_errors|connect_(error|timeout)/), ...signals.up(/status_50[234]|gateway_errors/)];
    if (!outsideDependency || symptoms.length === 0) return undefined;
    return {
      category: 'external_dependency_failure',
      description: `${outsideDependency.name} (an external dependency) may be failing`,
      evidence: [
        ...symptoms.map((metric) => evidenceFor(metric, 0.45, 'outbound calls fail')),
        { signal: `dependencies[${outsideDependency.name}]`, observation: `${signals.service} calls ${outsideDependency.name}, outside the cluster`, relevance: 0.3 },
      ],
      reasoning: 'Outbound calls fail, which an outage of an external dependency would explain, but no metric of the dependency itself is anomalous and the failures are not limited to it.',
    };
  }
  const evidence = [
    ...external.map((metric) => evidenceFor(metric, LATENCY.test(metric.name) ? 0.95 : 0.9, 'calls to the dependency fail or hang')),
    ...breaker.map((metric) => evidenceFor(metric, 0.85, 'the circuit breaker tripped on the dependency')),
    ...signals.up(SERVER_ERRORS).map((metric) => evidenceFor(metric, 0.7, 'failures cascade into the service\'s own errors')),
  ];
  const dependency = outsideDependency ?? dependencies(signals.scenario.context)[0];
  const slowest = external.filter((metric) => LATENCY.test(metric.name)).reduce((max, metric) => Math.max(max, metric.value), 0);
  if (dependency?.timeoutSeconds !== undefined && slowest >= 0.95 * dependency.timeoutSeconds) {
    evidence.push({ signal: `dependencies[${dependency.name}]`, observation: `calls take ${slowest} s, the configured timeout of ${dependency.timeoutSeconds} s: they hang until cut off`, relevance: 0.85 });
  }
  const alert = recentAlerts(signals.scenario.context).find((entry) => within(entry.minutesAgo, 60));
  if (alert) evidence.push({ signal: `recent_alerts[${alert.source}]`, observation: `${describeAgo(alert.minutesAgo)}: ${alert.message}`, relevance: 0.9 });
  for (const metric of signals.up(REQUEST_RATE)) evidence.push(evidenceFor(metric, 0.4, 'retries inflate the request count'));
  const name = dependency?.name ?? 'an external dependency';
  return {
    category: 'external_dependency_failure',
    description: `${name} is failing or timing out, and its failures cascade into ${signals.service}`,
    evidence,
    reasoning:
      'Calls to the dependency slowed to the timeout and fail, the circuit breaker opened, and the service\'s own 5xx errors followed: the fault is outside the service.' +
      (alert ? ` ${alert.source} itself reported trouble ${describeAgo(alert.minutesAgo)}.` : ''),
  };
};

const diskExhaustion: Rule = (signals) => {
  const disk = signals.up(/disk_(usage|used)|filesystem_(usage|used|avail)|volume_(usage|used)|inode/);
  if (disk.length === 0) return undefined;
  const evidence = [
    ...disk.map((metric) => evidenceFor(metric, 0.95, metric.unit === '%' && metric.value >= 95 ? 'the volume is full' : 'the volume is filling')),
    ...signals.up(/write_error|enospc|no_space/).map((metric) => evidenceFor(metric, 0.85, 'writes fail for lack of space')),
    ...signals.up(/log_(bytes|lines|volume|messages)|logs_/).map((metric) => evidenceFor(metric, 0.8, 'logs are what fills the volume')),
    ...signals.up(SERVER_ERRORS).map((metric) => evidenceFor(metric, 0.5, 'requests that must write fail')),
  ];
  const logChange = recentChanges(signals.scenario.context).find((change) => within(change.minutesAgo, 24 * 60) && /log|debug|verbose|trace/i.test(change.description));
  if (logChange) {
    evidence.push({ signal: `recent_changes[${logChange.kind}]`, observation: `${logChange.description} (${describeAgo(logChange.minutesAgo)}): far more is written since`, relevance: 0.85 });
  }
  const rotation = signals.scenario.context.log_rotation;
  if (isRecord(rotation) && (rotation.max_size === 'none' || rotation.max_size === null)) {
    evidence.push({ signal: 'log_rotation', observation: 'logs rotate by age only, with no size cap: a burst of logging is never trimmed', relevance: 0.5 });
  }
  return {
    category: 'disk_exhaustion',
    description: `${signals.service}'s volume is full${logChange ? ' of logs after a logging change' : ''}; writes fail with "no space left on device"`,
    evidence,
    reasoning: 'Disk usage climbs steadily to 100 % while write errors appear and the service starts failing requests that need to write.' + (logChange ? ' The volume of logs jumped with the logging change.' : ''),
  };
};

const certificateExpiry: Rule = (signals) => {
  const tlsErrors = signals.up(/tls|ssl|handshake/);
  const validity = signals.down(/cert.*(days|seconds|remaining|expiry|valid)/);
  const expired = records(signals.scenario.context.certificates).filter((entry) => typeof entry.expired_minutes_ago === 'number');
  if (tlsErrors.length === 0 && validity.length === 0 && expired.length === 0) return undefined;
  const evidence = [
    ...tlsErrors.map((metric) => evidenceFor(metric, 0.95, 'clients reject the handshake')),
    ...validity.map((metric) => evidenceFor(metric, 0.9, 'the certificate has run out')),
    ...signals.down(/success|requests?_(per_second|total)/).map((metric) => evidenceFor(metric, 0.7, 'almost no request gets through')),
    ...signals.normal(HTTP_LATENCY).map((metric) => evidenceFor(metric, 0.4, 'the service is not overloaded: clients drop before sending a request')),
  ];
  for (const certificate of expired) {
    evidence.push({ signal: `certificates[${String(certificate.subject)}]`, observation: `${String(certificate.subject)} expired ${describeAgo(certificate.expired_minutes_ago as number)}`, relevance: 0.9 });
  }
  const renewalAlert = recentAlerts(signals.scenario.context).find((alert) => /renew|cert|acme/i.test(`${alert.source} ${alert.message}`));
  if (renewalAlert) evidence.push({ signal: `recent_alerts[${renewalAlert.source}]`, observation: `${describeAgo(renewalAlert.minutesAgo)}: ${renewalAlert.message}`, relevance: 0.8 });
  return {
    category: 'certificate_expiry',
    description: `${signals.service}'s TLS certificate expired: clients refuse every connection`,
    evidence,
    reasoning: 'Handshake errors jumped while the service answers as fast as ever and successful traffic collapsed: connections fail before any request is made, as they do with an expired certificate.' + (renewalAlert ? ' The automatic renewal had already failed.' : ''),
  };
};

const dnsFailure: Rule = (signals) => {
  const dns = signals.up(/dns|resolv|nxdomain/);
  if (dns.length === 0) return undefined;
  const evidence = [
    ...dns.map((metric) => evidenceFor(metric, LATENCY.test(metric.name) ? 0.9 : 0.95, 'name lookups fail or time out')),
    ...signals.up(/outbound|connection_errors|connect_(error|timeout)/).map((metric) => evidenceFor(metric, 0.75, 'outbound calls fail before connecting')),
    ...signals.up(SERVER_ERRORS).map((metric) => evidenceFor(metric, 0.55, 'the failures surface as gateway errors')),
    ...signals.up(HTTP_LATENCY).map((metric) => evidenceFor(metric, 0.55, 'requests wait for the resolver timeout')),
  ];
  const change = recentChanges(signals.scenario.context).find((entry) => within(entry.minutesAgo, 120) && (/network|dns/.test(entry.kind) || /dns|resolver/i.test(entry.description)));
  if (change) evidence.push({ signal: `recent_changes[${change.kind}]`, observation: `${change.description} (${describeAgo(change.minutesAgo)})`, relevance: 0.85 });
  const clusterDns = signals.scenario.context.cluster_dns;
  if (isRecord(clusterDns) && typeof clusterDns.pods_ready === 'number' && typeof clusterDns.pods_desired === 'number' && clusterDns.pods_ready < clusterDns.pods_desired) {
    evidence.push({ signal: 'cluster_dns', observation: `only ${clusterDns.pods_ready} of ${clusterDns.pods_desired} DNS pods are ready`, relevance: 0.7 });
  }
  return {
    category: 'dns_failure',
    description: `DNS resolution is failing for ${signals.service}: outbound calls stall on lookups`,
    evidence,
    reasoning: 'Lookup errors and lookup time jumped before the outbound connection errors did; every call waits for the resolver timeout, which explains both the latency and the 5xx.' + (change ? ' The DNS configuration changed shortly before.' : ''),
  };
};

const noisyNeighbor: Rule = (signals) => {
  const steal = signals.up(/steal|throttl/);
  if (steal.length === 0) return undefined;
  const evidence = [
    ...steal.map((metric) => evidenceFor(metric, 0.95, 'CPU time is taken away from the service')),
    ...signals.up(HTTP_LATENCY).map((metric) => evidenceFor(metric, 0.7, 'latency follows the stolen time')),
    ...signals.up(/run_queue|load_average|runnable/).map((metric) => evidenceFor(metric, 0.7, 'threads wait for a CPU')),
    ...signals.normal(CPU_USAGE).map((metric) => evidenceFor(metric, 0.6, 'the service does not use more CPU, it gets less')),
    ...signals.normal(REQUEST_RATE).map((metric) => evidenceFor(metric, 0.5, 'demand is unchanged')),
  ];
  const neighbour = coLocatedWorkloads(signals.scenario.context).find((workload) => within(workload.startedMinutesAgo, 120));
  if (neighbour) {
    evidence.push({ signal: `co_located_workloads[${neighbour.name}]`, observation: `${neighbour.kind || 'workload'} ${neighbour.name} started on the same node ${describeAgo(neighbour.startedMinutesAgo)}`, relevance: 0.85 });
  }
  if (!signals.deploymentWithin(24 * 60)) {
    evidence.push({ signal: 'recent_deployments', observation: 'no deployment of the service in the last 24 h', relevance: 0.4 });
  }
  return {
    category: 'noisy_neighbor',
    description: `A noisy neighbour${neighbour ? ` (${neighbour.name})` : ''} is stealing CPU from ${signals.service}'s node`,
    evidence,
    reasoning: 'CPU steal and the run queue swing up while the service\'s own CPU use and traffic stay flat: the node gives it less CPU time, so latency rises in waves with the neighbour\'s load.',
  };
};

const cacheStampede: Rule = (signals) => {
  const hits = signals.down(CACHE_HITS);
  const misses = signals.up(CACHE_MISSES);
  if (hits.length === 0 && misses.length === 0) return undefined;
  const evidence = [
    ...hits.map((metric) => evidenceFor(metric, 0.95, 'the cache stopped answering')),
    ...misses.map((metric) => evidenceFor(metric, 0.9, 'every request misses at once')),
    ...signals.up(DB_TIME).map((metric) => evidenceFor(metric, 0.75, 'the database takes the load the cache absorbed')),
    ...signals.up(DB_CONNECTIONS).map((metric) => evidenceFor(metric, 0.7, 'misses hold every database connection')),
    ...signals.up(HTTP_LATENCY).map((metric) => evidenceFor(metric, 0.6, 'requests wait for the database')),
    ...signals.normal(REQUEST_RATE).map((metric) => evidenceFor(metric, 0.6, 'the extra load comes from misses, not users')),
  ];
  const change = recentChanges(signals.scenario.context).find((entry) => within(entry.minutesAgo, 60) && /cache|redis|memcache|flush|failover|evict/i.test(entry.description));
  if (change) evidence.push({ signal: `recent_changes[${change.kind}]`, observation: `${change.description} (${describeAgo(change.minutesAgo)})`, relevance: 0.9 });
  const cache = signals.scenario.context.cache;
  if (isRecord(cache) && cache.request_coalescing === false) {
    evidence.push({ signal: 'cache', observation: 'no request coalescing: concurrent misses for one key all go to the database', relevance: 0.6 });
  }
  return {
    category: 'cache_stampede',
    description: `Cache stampede in ${signals.service}: an empty cache sends every request to the database`,
    evidence,
    reasoning: 'The hit ratio collapsed first and the database load followed while traffic stayed normal: the database is overwhelmed by misses for the same keys, not by more users.' + (change ? ' The cache lost its contents in the recent change.' : ''),
  };
};

const featureFlagRegression: Rule = (signals) => {
  const flagChange = recentChanges(signals.scenario.context).find((change) => within(change.minutesAgo, 120) && (change.kind === 'feature_flag' || /flag/i.test(change.description)));
  const errors = signals.up(/status_5\d\d|5xx|error|exception/);
  if (!flagChange || errors.length === 0) return undefined;
  const evidence: Evidence[] = [
    { signal: `recent_changes[${flagChange.flag ?? flagChange.kind}]`, observation: `${flagChange.description} (${describeAgo(flagChange.minutesAgo)}), just before the errors`, relevance: 0.95 },
    ...errors.slice(0, 3).map((metric) => evidenceFor(metric, 0.85, 'errors began at once')),
    ...signals.normal(REQUEST_RATE).map((metric) => evidenceFor(metric, 0.5, 'not a load problem')),
    ...signals.normal(CPU_USAGE).map((metric) => evidenceFor(metric, 0.4, 'not a resource problem')),
  ];
  const latest = [...signals.deployments].sort((a, b) => (a.minutesAgo ?? 0) - (b.minutesAgo ?? 0))[0];
  if (!signals.deploymentWithin(24 * 60)) {
    evidence.push({
      signal: 'recent_deployments',
      observation: latest ? `the last deployment was ${describeAgo(latest.minutesAgo)}: the code did not change, its configuration did` : 'no recent deployment',
      relevance: 0.6,
    });
  }
  return {
    category: 'feature_flag_regression',
    description: `Feature flag ${flagChange.flag ?? ''} turned on a broken code path in ${signals.service}`.replace('  ', ' '),
    evidence,
    reasoning: 'Errors stepped up minutes after the flag changed, with no deployment and no change in traffic or CPU: the newly enabled code path fails for the users in the rollout.',
  };
};

const RULES: Rule[] = [
  memoryLeak,
  trafficSurge,
  cpuSpike,
  databasePerformance,
  podCrashLoop,
  dependencyFailure,
  diskExhaustion,
  certificateExpiry,
  dnsFailure,
  noisyNeighbor,
  cacheStampede,
  featureFlagRegression,
  ...HOST_RULES,
];

/** A deployment in the last hour that no other hypothesis accounts for is a suspect in itself. */
function recentDeploymentCandidate(signals: Signals, candidates: Candidate[]): Candidate | undefined {
  const deployment = signals.deploymentWithin(60);
  if (!deployment) return undefined;
  const cited = candidates.some((candidate) => candidate.evidence.some((item) => item.signal.startsWith('recent_deployments[')));
  if (cited) return undefined;
  return {
    category: 'deployment_issue',
    description: `A regression shipped in ${deployment.version} of ${signals.service}`,
    evidence: [deploymentEvidence(deployment, 0.5, 'the incident began after it')],
    reasoning: 'Nothing in the metrics points at the release directly, but it is the most recent change: compare the incident start with the rollout.',
  };
}

/** No rule fits: point at the most anomalous signals and ask for an investigation. */
function fallbackCandidate(signals: Signals): Candidate {
  const anomalies = signals.scenario.metrics
    .filter(isAnomalousMetric)
    .sort((a, b) => Math.abs(b.deviationSigma) - Math.abs(a.deviationSigma))
    .slice(0, 3);
  if (anomalies.length === 0) {
    return {
      category: 'no_anomaly',
      description: `No metric of ${signals.service} is beyond three standard deviations`,
      evidence: [],
      reasoning: 'Nothing stands out enough to suggest a cause; check whether the alert was right.',
    };
  }
  const top = anomalies[0]!;
  const family = LATENCY.test(top.name) ? 'latency_spike' : /error|5\d\d|exception/.test(top.name) ? 'error_spike' : 'unknown';
  return {
    category: family,
    description: `Unexplained anomaly in ${signals.service}, led by ${top.name}`,
    evidence: anomalies.map((metric) => evidenceFor(metric, 0.5)),
    reasoning: 'No known pattern fits these signals well; start from the most anomalous ones.',
  };
}
