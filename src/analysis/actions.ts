import { isRecord, records } from '../incidents/context.js';
import type { RecommendedAction, RiskLevel, Scenario } from '../incidents/types.js';
import { hostActions } from './host-rules.js';
import { isRootCause, type RootCause } from './root-causes.js';

/**
 * What to do about a root cause: the remediations an on-call engineer would reach for, with how
 * risky each is and how much it touches. Anything riskier than "low" waits for a human's approval,
 * as in the original (status pending_approval).
 */

interface ActionTemplate {
  type: string;
  riskLevel: RiskLevel;
  target: (facts: ScenarioFacts) => string;
  blastRadius: (facts: ScenarioFacts) => string;
  rationale: string;
}

interface ScenarioFacts {
  service: string;
  pods: number | undefined;
  node: string | undefined;
  flag: string | undefined;
  workload: string | undefined;
  dependency: string | undefined;
}

const service = (facts: ScenarioFacts) => facts.service;
const allPods = (facts: ScenarioFacts) => (facts.pods ? `${facts.service}, all ${facts.pods} pods` : `${facts.service}, every instance`);
const onePodAtATime = (facts: ScenarioFacts) =>
  facts.pods ? `${facts.service}, one of ${facts.pods} pods at a time` : `${facts.service}, one instance at a time`;

const CATEGORY_ACTIONS: Partial<Record<RootCause, ActionTemplate[]>> = {
  memory_leak: [
    { type: 'restart', riskLevel: 'medium', target: service, blastRadius: onePodAtATime, rationale: 'A rolling restart frees the leaked memory before the pods are OOM-killed; it buys time, it does not fix the leak.' },
    { type: 'scale', riskLevel: 'low', target: service, blastRadius: () => 'adds pods; existing traffic is not interrupted', rationale: 'More pods spread the load, so each one leaks more slowly until a fix ships.' },
  ],
  traffic_surge: [
    { type: 'scale', riskLevel: 'low', target: service, blastRadius: () => 'adds pods; existing traffic is not interrupted', rationale: 'The service is saturated by legitimate demand: add capacity (autoscaling is the lasting fix).' },
    { type: 'rate_limit', riskLevel: 'medium', target: service, blastRadius: () => 'requests above the limit get 429 responses', rationale: 'Shed the excess at the edge so that the requests that are served stay fast.' },
  ],
  cpu_spike: [
    { type: 'scale', riskLevel: 'low', target: service, blastRadius: () => 'adds pods; existing traffic is not interrupted', rationale: 'Spread the CPU load while the hot code path is found.' },
    { type: 'restart', riskLevel: 'medium', target: service, blastRadius: onePodAtATime, rationale: 'A runaway loop or a stuck worker ends with its process.' },
  ],
  database_performance: [
    { type: 'database_optimization', riskLevel: 'medium', target: (facts) => `${facts.service} database`, blastRadius: () => 'the database: an index build or killed queries affect every client of it', rationale: 'Find the slow statements (pg_stat_statements, EXPLAIN), add the missing index or cancel the runaway queries.' },
    { type: 'connection_pool_tuning', riskLevel: 'medium', target: service, blastRadius: allPods, rationale: 'The pool is exhausted: cap per-request connections and set statement timeouts so that slow queries cannot hold every connection.' },
  ],
  deployment_issue: [
    { type: 'rollback', riskLevel: 'high', target: service, blastRadius: allPods, rationale: 'The failures started with the latest deployment: return to the last version that worked.' },
    { type: 'restart', riskLevel: 'medium', target: service, blastRadius: onePodAtATime, rationale: 'Restart the pods once the rollback is out, so that none keeps crash-looping on the bad version.' },
  ],
  service_down: [
    { type: 'restart', riskLevel: 'low', target: service, blastRadius: () => 'the service only: it is down already', rationale: 'Start it again; then find out why it stopped and why nothing restarted it.' },
    { type: 'investigate', riskLevel: 'low', target: service, blastRadius: () => 'none: read-only', rationale: 'Read its last log lines and exit status for the reason it stopped.' },
  ],
  crash_loop: [
    { type: 'restart', riskLevel: 'medium', target: service, blastRadius: onePodAtATime, rationale: 'Clear pods stuck in back-off while the crash cause is read from their logs.' },
    { type: 'investigate', riskLevel: 'low', target: service, blastRadius: () => 'none: read-only', rationale: 'Read the previous container logs (kubectl logs --previous) for the crash reason.' },
  ],
  external_dependency_failure: [
    { type: 'circuit_breaker', riskLevel: 'low', target: (facts) => facts.dependency ?? `${facts.service} outbound calls`, blastRadius: () => 'calls to the failing dependency fail fast instead of hanging', rationale: 'Keep the breaker open so that threads stop waiting for timeouts and the rest of the service stays up.' },
    { type: 'fallback', riskLevel: 'medium', target: service, blastRadius: () => 'requests that need the dependency take the degraded path', rationale: 'Serve a degraded answer (queue the work, a secondary provider, cached data) while the dependency is down.' },
    { type: 'alert', riskLevel: 'low', target: (facts) => facts.dependency ?? 'the dependency owner', blastRadius: () => 'none: a notification', rationale: 'Tell the provider and update the status page: the fix is on their side.' },
  ],
  disk_exhaustion: [
    { type: 'free_disk_space', riskLevel: 'low', target: service, blastRadius: () => 'old and rotated log files only', rationale: 'Compress or delete rotated logs so that writes succeed again.' },
    { type: 'revert_config', riskLevel: 'low', target: service, blastRadius: allPods, rationale: 'Return the logging change (log level, verbosity) that multiplied the volume written.' },
    { type: 'expand_volume', riskLevel: 'medium', target: service, blastRadius: () => 'the volume: resized online where the storage class allows it', rationale: 'Give the volume headroom, and cap log files by size, not only by age.' },
  ],
  certificate_expiry: [
    { type: 'renew_certificate', riskLevel: 'medium', target: service, blastRadius: () => 'every TLS client of the service', rationale: 'Issue a new certificate by hand now; fix the automatic renewal afterwards.' },
    { type: 'restart', riskLevel: 'medium', target: service, blastRadius: onePodAtATime, rationale: 'Reload the serving pods so that they present the new certificate.' },
  ],
  dns_failure: [
    { type: 'rollback_config', riskLevel: 'medium', target: () => 'cluster DNS configuration', blastRadius: () => 'every workload that resolves names through the cluster DNS', rationale: 'Return the DNS change that preceded the failures.' },
    { type: 'restart', riskLevel: 'medium', target: () => 'cluster DNS pods', blastRadius: () => 'name resolution, briefly, one DNS pod at a time', rationale: 'Bring the unready DNS pods back so that the resolver has its full capacity.' },
  ],
  noisy_neighbor: [
    { type: 'drain_node', riskLevel: 'high', target: (facts) => (facts.node ? `node ${facts.node}` : 'the affected node'), blastRadius: (facts) => `every pod on ${facts.node ?? 'the node'} is rescheduled`, rationale: 'Move the service off the contended node.' },
    { type: 'isolate_workload', riskLevel: 'medium', target: (facts) => facts.workload ?? 'the co-located workload', blastRadius: (facts) => `${facts.workload ?? 'the co-located workload'} only`, rationale: 'Give the neighbour CPU limits or a node pool of its own so that it cannot starve latency-sensitive services again.' },
  ],
  cache_stampede: [
    { type: 'cache_warming', riskLevel: 'low', target: service, blastRadius: () => 'the cache; a controlled load on the database', rationale: 'Refill the hottest keys at a controlled rate instead of letting every request miss.' },
    { type: 'request_coalescing', riskLevel: 'medium', target: service, blastRadius: allPods, rationale: 'Let one request rebuild a missing key while the others wait for it (single flight), and add jitter to TTLs.' },
    { type: 'rate_limit', riskLevel: 'medium', target: (facts) => `${facts.service} database queries`, blastRadius: () => 'cache misses beyond the limit wait or fail fast', rationale: 'Protect the database until the cache is warm.' },
  ],
  feature_flag_regression: [
    { type: 'toggle_feature_flag', riskLevel: 'low', target: (facts) => (facts.flag ? `flag ${facts.flag}` : 'the recently changed flag'), blastRadius: () => 'users in the flag rollout return to the old code path', rationale: 'Turning the flag off is the fastest, smallest undo: no deployment needed.' },
    { type: 'notify_owner', riskLevel: 'low', target: (facts) => (facts.flag ? `owner of ${facts.flag}` : 'the flag owner'), blastRadius: () => 'none: a notification', rationale: 'The owning team fixes the new code path before the flag goes on again.' },
  ],
};

const INVESTIGATE: ActionTemplate[] = [
  { type: 'investigate', riskLevel: 'low', target: service, blastRadius: () => 'none: read-only', rationale: 'No known pattern fits well: look at the most anomalous signals first.' },
];

/** The actions for a root-cause category; an unknown category gets an investigation step. */
export function actionsForCategory(category: string, scenario: Scenario): RecommendedAction[] {
  const onOneMachine = hostActions(category, scenario);
  if (onOneMachine) return onOneMachine;
  const facts = scenarioFacts(scenario);
  return ((isRootCause(category) ? CATEGORY_ACTIONS[category] : undefined) ?? INVESTIGATE).map((template) => ({
    type: template.type,
    target: template.target(facts),
    riskLevel: template.riskLevel,
    blastRadius: template.blastRadius(facts),
    rationale: template.rationale,
    requiresApproval: template.riskLevel !== 'low',
  }));
}

/** "restart on payment-service (medium risk, needs approval; blast radius: one pod at a time)": empty parts left out. */
export function describeAction(action: RecommendedAction): string {
  const details = [`${action.riskLevel} risk${action.requiresApproval ? ', needs approval' : ''}`];
  if (action.blastRadius.trim() !== '') details.push(`blast radius: ${action.blastRadius}`);
  return `${action.type}${action.target.trim() !== '' ? ` on ${action.target}` : ''} (${details.join('; ')})`;
}

/** The categories that have their own remediation list. */
export function categoriesWithActions(): string[] {
  return Object.keys(CATEGORY_ACTIONS);
}

function scenarioFacts(scenario: Scenario): ScenarioFacts {
  const context = scenario.context;
  const pods = typeof context.pod_count === 'number' ? context.pod_count : undefined;
  const node = isRecord(context.node) && typeof context.node.name === 'string' ? context.node.name : undefined;
  const flagChange = records(context.recent_changes).find((change) => change.kind === 'feature_flag');
  const flag = typeof flagChange?.flag === 'string' ? flagChange.flag : undefined;
  const workload = records(context.co_located_workloads).map((entry) => entry.name).find((name) => typeof name === 'string') as string | undefined;
  const dependency = records(context.dependencies).find((entry) => entry.type === 'external')?.name;
  return { service: scenario.service, pods, node, flag, workload, dependency: typeof dependency === 'string' ? dependency : undefined };
}

/** Every action type the playbook can recommend (what a scenario or an exercise may name). */
export function knownActionTypes(): string[] {
  return [...new Set([...Object.values(CATEGORY_ACTIONS).flat(), ...INVESTIGATE].map((template) => template.type))];
}
