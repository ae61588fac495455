import path from 'node:path';
import { isRecord, records } from '../incidents/context.js';
import type { RecommendedAction, RiskLevel, Scenario, ScenarioMetric } from '../incidents/types.js';
import type { Candidate, Rule, Signals } from './builtin.js';
import { isAnomalousMetric } from './confidence.js';

/**
 * Rules for one machine's own metric families, as node_exporter, the Blackbox exporter and
 * per-process exporters name them (node_*, probe_success, process_*{comm,pid}), and the process
 * table in the context (top_processes_by_cpu, processes_started_since_baseline, ...). Live
 * incidents produce these from real readings; any scenario named the same way is read the same.
 * They name the culprit (a process, a file, a service) where the readings show it.
 */

const PROCESS_CPU = /^process_cpu_(utili[sz]ation|usage)/;
const PROCESS_RSS = /^process_resident_memory_bytes/;
const NODE_CPU = /^node_cpu_(utili[sz]ation|usage)/;
const NODE_MEMORY_AVAILABLE = /^node_memory_MemAvailable_bytes/;
const FILESYSTEM_AVAILABLE = /^node_filesystem_(avail|free)_bytes/;
const PROBE = /^probe_success/;
/** Below this, a process is busy, not runaway: a busy loop holds a whole core when it can get one. */
const RUNAWAY_CPU_PERCENT = 40;

/** The labels of a metric name written as `name{key="value",...}`. */
export function metricLabels(name: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const body = /\{(.*)\}$/.exec(name)?.[1] ?? '';
  for (const match of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
  return labels;
}

interface ContextProcess {
  pid: number;
  name: string;
  command: string;
  startedSecondsAgo: number | undefined;
}

function contextProcesses(value: unknown): ContextProcess[] {
  return records(value).flatMap((entry) =>
    typeof entry.pid === 'number' && typeof entry.name === 'string'
      ? [
          {
            pid: entry.pid,
            name: entry.name,
            command: typeof entry.command === 'string' ? entry.command : entry.name,
            startedSecondsAgo: typeof entry.started_seconds_ago === 'number' ? entry.started_seconds_ago : undefined,
          },
        ]
      : [],
  );
}

function byMagnitude(metrics: ScenarioMetric[]): ScenarioMetric[] {
  return [...metrics].sort((a, b) => Math.abs(b.deviationSigma) - Math.abs(a.deviationSigma));
}

/** The process a metric is about, as `name (pid N)`, with what the context says of it. */
function processOf(metric: ScenarioMetric, scenario: Scenario): { label: string; name: string; pid: string; started: ContextProcess | undefined; top: ContextProcess | undefined } {
  const labels = metricLabels(metric.name);
  const name = labels.comm ?? labels.groupname ?? labels.process ?? 'a process';
  const pid = labels.pid ?? '';
  const matches = (entry: ContextProcess) => String(entry.pid) === pid || (pid === '' && entry.name === name);
  return {
    label: pid ? `${name} (pid ${pid})` : name,
    name,
    pid,
    started: contextProcesses(scenario.context.processes_started_since_baseline).find(matches),
    top: contextProcesses(scenario.context.top_processes_by_cpu).find(matches) ?? contextProcesses(scenario.context.top_processes_by_memory).find(matches),
  };
}

function startedEvidence(process: ReturnType<typeof processOf>) {
  const started = process.started;
  if (!started) return [];
  const when = started.startedSecondsAgo === undefined ? 'during the incident' : `${started.startedSecondsAgo} s ago, during the incident`;
  return [{ signal: 'processes_started_since_baseline', observation: `${process.label} started ${when}: \`${started.command}\``, relevance: 0.8 }];
}

const runawayProcess: Rule = (signals: Signals): Candidate | undefined => {
  const busy = byMagnitude(signals.up(PROCESS_CPU).filter((metric) => metric.value >= RUNAWAY_CPU_PERCENT));
  const top = busy[0];
  // The machine's CPU may not rise when it was saturated already: the process's own share is what counts.
  const machine = signals.up(NODE_CPU);
  if (!top) return undefined;
  const process = processOf(top, signals.scenario);
  const evidence = [
    signals.evidence(top, 0.95, `${process.name} alone keeps ${Math.round(top.value)} % of a core busy`),
    ...machine.map((metric) => signals.evidence(metric, 0.8, 'the whole machine is busier by as much')),
    ...startedEvidence(process),
  ];
  const first = contextProcesses(signals.scenario.context.top_processes_by_cpu)[0];
  if (first && process.top && first.pid === process.top.pid) {
    evidence.push({ signal: 'top_processes_by_cpu', observation: `${process.label} heads the process table by CPU: \`${first.command}\``, relevance: 0.9 });
  }
  return {
    category: 'cpu_spike',
    description: `Runaway process ${process.label} keeps ${Math.round(top.value)} % of a core busy on ${signals.service}`,
    evidence,
    reasoning:
      'One process accounts for the rise of the machine\'s CPU by itself, and nothing else moved: a process stuck in a busy loop (a job gone wrong, a retry without a pause) rather than more work. Stopping it ends the incident; why it looped is the follow-up.',
  };
};

const leakingProcess: Rule = (signals) => {
  // Processes that ran through the baseline first (see below), then the largest growth.
  const growing = byMagnitude(signals.up(PROCESS_RSS).filter((metric) => metric.pattern === 'linear')).sort(
    (a, b) => Number(b.baseline > 0) - Number(a.baseline > 0),
  );
  const top = growing[0];
  if (!top) return undefined;
  const process = processOf(top, signals.scenario);
  // A process that did not exist during the baseline (its baseline is 0 B) grows as it loads: that
  // is start-up, not yet a leak. One that ran steadily through the baseline and then grows is.
  const wasRunning = top.baseline > 0;
  const evidence = [
    signals.evidence(top, wasRunning ? 0.95 : 0.5, wasRunning ? 'steady through the baseline, then steady growth' : 'but it only just started: programs grow as they load'),
    ...signals.down(NODE_MEMORY_AVAILABLE).map((metric) => signals.evidence(metric, 0.8, 'the machine\'s available memory falls as it grows')),
  ];
  if (!wasRunning) evidence.push(...startedEvidence(process).map((item) => ({ ...item, relevance: 0.3 })));
  else if (process.top) {
    evidence.push({ signal: 'top_processes_by_memory', observation: `${process.label} ran through the baseline (\`${process.top.command}\`) and now holds the memory`, relevance: 0.85 });
  }
  return {
    category: 'memory_leak',
    description: `Memory leak in ${process.label}: its resident memory grows steadily on ${signals.service}`,
    evidence,
    reasoning:
      'The resident memory of one process rises in a straight line and the machine\'s available memory falls by as much: memory that is allocated and never given back. Left alone it ends with the out-of-memory killer choosing a victim.',
  };
};

const fillingFile: Rule = (signals) => {
  const shrinking = byMagnitude(signals.down(FILESYSTEM_AVAILABLE));
  const top = shrinking[0];
  if (!top) return undefined;
  const mountpoint = metricLabels(top.name).mountpoint ?? 'a filesystem';
  const files = records(signals.scenario.context.large_recent_files).filter((file) => typeof file.path === 'string' && typeof file.bytes === 'number');
  const file = files[0];
  const evidence = [signals.evidence(top, 0.95, 'free space shrinks')];
  if (file) {
    const bytes = file.bytes as number;
    const ago = typeof file.modified_seconds_ago === 'number' ? `, written ${file.modified_seconds_ago} s ago` : '';
    evidence.push({ signal: 'large_recent_files', observation: `${String(file.path)} holds ${formatMiB(bytes)}${ago}: the largest file written during the incident`, relevance: 0.9 });
    const lost = top.baseline - top.value;
    const share = lost > 0 ? bytes / lost : 0;
    if (share >= 0.5 && share <= 1.5) {
      evidence.push({ signal: `${top.name}`, observation: `the file's ${formatMiB(bytes)} account for the ${formatMiB(lost)} of space lost`, relevance: 0.95 });
    }
  }
  return {
    category: 'disk_exhaustion',
    description: file
      ? `${path.basename(String(file.path))} is filling the ${mountpoint} filesystem of ${signals.service}`
      : `Something is filling the ${mountpoint} filesystem of ${signals.service}`,
    evidence,
    reasoning:
      'Free space on the filesystem falls steadily while one file written during the incident keeps growing: at this pace writes will fail with "no space left on device". Find what writes it before deleting it (a deleted file that is still open keeps its space).',
  };
};

const serviceDown: Rule = (signals) => {
  const failing = signals.down(PROBE);
  const top = failing[0];
  if (!top) return undefined;
  const job = metricLabels(top.name).job ?? 'the probed service';
  const evidence = [signals.evidence(top, 0.95, 'its health check fails')];
  const gone = records(signals.scenario.context.processes_gone_since_baseline).find((entry) => entry.name === job);
  if (gone) evidence.push({ signal: 'processes_gone_since_baseline', observation: `${job} (pid ${String(gone.pid)}) ran through the baseline and is no longer running`, relevance: 0.9 });
  const probe = records(signals.scenario.context.probes).find((entry) => entry.job === job);
  if (probe && probe.was_up === true) evidence.push({ signal: 'probes', observation: `${String(probe.url)} answered during the baseline`, relevance: 0.7 });
  return {
    category: 'service_down',
    description: `${job} is down on ${signals.service}: its health check fails${gone ? ' and its process is gone' : ''}`,
    evidence,
    reasoning: gone
      ? 'The service answered its health check before and its process has since exited: it stopped or crashed, and nothing restarted it.'
      : 'The service answered its health check before and no longer does, though its process may still run: it hangs or lost its port.',
  };
};

export const HOST_RULES: Rule[] = [runawayProcess, leakingProcess, fillingFile, serviceDown];

function formatMiB(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function action(type: string, target: string, riskLevel: RiskLevel, blastRadius: string, rationale: string): RecommendedAction {
  return { type, target, riskLevel, blastRadius, rationale, requiresApproval: riskLevel !== 'low' };
}

function mostAnomalous(scenario: Scenario, family: RegExp): ScenarioMetric | undefined {
  return byMagnitude(scenario.metrics.filter((metric) => family.test(metric.name) && isAnomalousMetric(metric)))[0];
}

/**
 * What to do on one machine, aimed at the culprit the readings show: a process by name and pid, a
 * file by path, a service by name. Undefined for incidents that are not about one machine (no
 * `host` entry in the context), which keep the service-level actions.
 */
export function hostActions(category: string, scenario: Scenario): RecommendedAction[] | undefined {
  const host = scenario.context.host;
  if (!isRecord(host) || host.kind !== 'host') return undefined;
  switch (category) {
    case 'cpu_spike': {
      const metric = mostAnomalous(scenario, PROCESS_CPU);
      if (!metric) return undefined;
      const { label } = processOf(metric, scenario);
      return [
        action('stop_process', label, 'medium', 'that process only: the work it was doing is lost', 'A process stuck in a loop does no useful work: stop it (SIGTERM, then SIGKILL if it does not exit), then find out why it looped.'),
        action('renice', label, 'low', 'that process only: it runs slower', 'Lower its priority (renice +19) so that the rest of the machine gets the CPU while you look.'),
      ];
    }
    case 'memory_leak': {
      const metric = mostAnomalous(scenario, PROCESS_RSS);
      if (!metric) return undefined;
      const { label } = processOf(metric, scenario);
      return [
        action('restart', label, 'medium', 'that process: its in-memory state is lost', 'A restart gives the leaked memory back before the out-of-memory killer picks a victim; it buys time, it does not fix the leak.'),
        action('investigate', label, 'low', 'none: read-only', 'Take a heap profile (or /proc/PID/smaps) while it grows, to find what holds the memory.'),
      ];
    }
    case 'disk_exhaustion': {
      const file = records(scenario.context.large_recent_files).find((entry) => typeof entry.path === 'string');
      if (!file) return undefined;
      return [
        action('find_writer', String(file.path), 'low', 'none: read-only', 'Find the process that writes it (fuser, lsof) and stop that first, or the space comes back filled.'),
        action('delete_file', String(file.path), 'medium', 'that file: its contents are lost', 'Deleting it gives the space back once no process holds it open.'),
      ];
    }
    case 'service_down': {
      const probe = byMagnitude(scenario.metrics.filter((metric) => PROBE.test(metric.name)))[0];
      const job = probe ? (metricLabels(probe.name).job ?? 'the service') : 'the service';
      return [
        action('restart', job, 'low', `${job} only: it is down already`, 'Start it again; then find out why it stopped and why nothing restarted it.'),
        action('investigate', job, 'low', 'none: read-only', 'Read its last log lines and exit status for the reason it stopped.'),
      ];
    }
    default:
      return undefined;
  }
}
