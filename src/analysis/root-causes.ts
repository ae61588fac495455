/**
 * The one vocabulary of root causes: what the built-in analyzer emits, what the confidence formula
 * weighs, what the playbook (actions.ts) has remedies for and what an LLM is asked to choose among.
 *
 * `base` is the original's base confidence for the category's family. The original weighed eight
 * families (memory_leak 0.7, cpu_spike 0.75, traffic_spike 0.8, latency_spike 0.65, error_spike
 * 0.85, database_issue 0.6, network_issue 0.55, deployment_issue 0.8) under names its analyzer
 * did not emit, so most hypotheses fell to the 0.5 default and a recent deployment (0.8) outranked
 * rivals it should not. Each cause here names the family it belongs to, so the weights are the
 * original's and every cause gets one.
 */
export const ROOT_CAUSES = {
  memory_leak: { base: 0.7, family: 'memory_leak' },
  /** A disk filling up is a resource running out, as a leak is. */
  disk_exhaustion: { base: 0.7, family: 'memory_leak' },
  cpu_spike: { base: 0.75, family: 'cpu_spike' },
  /** CPU taken by another tenant: a CPU problem seen from inside. */
  noisy_neighbor: { base: 0.75, family: 'cpu_spike' },
  traffic_surge: { base: 0.8, family: 'traffic_spike' },
  database_performance: { base: 0.6, family: 'database_issue' },
  /** Misses fall through to the database: a database problem seen from the cache. */
  cache_stampede: { base: 0.6, family: 'database_issue' },
  external_dependency_failure: { base: 0.55, family: 'network_issue' },
  dns_failure: { base: 0.55, family: 'network_issue' },
  certificate_expiry: { base: 0.55, family: 'network_issue' },
  deployment_issue: { base: 0.8, family: 'deployment_issue' },
  /** A change rolled out, through a flag rather than a release. */
  feature_flag_regression: { base: 0.8, family: 'deployment_issue' },
  /** Pods that crash over and over: errors from the service itself. */
  crash_loop: { base: 0.85, family: 'error_spike' },
  /** A service that stopped answering its health check (a process gone): its callers see errors. */
  service_down: { base: 0.85, family: 'error_spike' },
  /** The built-in analyzer's fallbacks when no known pattern fits. */
  latency_spike: { base: 0.65, family: 'latency_spike' },
  error_spike: { base: 0.85, family: 'error_spike' },
  unknown: { base: 0.5, family: 'unknown' },
  no_anomaly: { base: 0.5, family: 'unknown' },
} as const satisfies Record<string, { base: number; family: string }>;

export type RootCause = keyof typeof ROOT_CAUSES;

/** Any other category (an LLM's own word) gets this base. */
export const DEFAULT_CATEGORY_BASE = 0.5;

const FALLBACKS: ReadonlySet<string> = new Set<RootCause>(['latency_spike', 'error_spike', 'unknown', 'no_anomaly']);

/** The causes a hypothesis can name (the fallbacks are what the analyzer says when none fits). */
export const NAMED_ROOT_CAUSES: readonly RootCause[] = (Object.keys(ROOT_CAUSES) as RootCause[]).filter((cause) => !FALLBACKS.has(cause));

export function isRootCause(category: string): category is RootCause {
  return Object.hasOwn(ROOT_CAUSES, category);
}

export function categoryBase(category: string): number {
  return isRootCause(category) ? ROOT_CAUSES[category].base : DEFAULT_CATEGORY_BASE;
}
