/**
 * Process workloads: hundreds of real, named processes with priorities and resource patterns,
 * measured per process from /proc. The engine (workload.ts) yields these events; the headless
 * command, the API and the console all consume them.
 */

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CPU_PATTERNS = ['steady', 'spiky', 'growing', 'random'] as const;
export type CpuPattern = (typeof CPU_PATTERNS)[number];

export const MEMORY_PATTERNS = ['steady', 'spiky', 'growing', 'random'] as const;
export type MemoryPattern = (typeof MEMORY_PATTERNS)[number];

export const RESTART_POLICIES = ['always', 'on-failure', 'never'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/** One kind of process in a profile: many processes share it. */
export interface ProcessKind {
  id: string;
  /** The command line as `ps -o args` shows it; `{n}` becomes the instance number. */
  name: string;
  /** The executable name as `ps -o comm`, top and btop show it (15 bytes at most). */
  comm: string;
  priority: Priority;
  /** A fixed number of processes of this kind, whatever the total... */
  count?: number;
  /** ...or a share of what the fixed counts leave. */
  weight?: number;
  cpu: { pattern: CpuPattern; percent: number };
  memory: { pattern: MemoryPattern; mb: number };
  /** Ends on its own after a time drawn between these (seconds); absent: runs until stopped. */
  lifetime?: { minSeconds: number; maxSeconds: number };
  /** Status it exits with when its lifetime is over (0: a job that finished; else a crash). */
  exitCode: number;
  restart: RestartPolicy;
  restartDelaySeconds: number;
  /** Files it holds open (besides stdin, stdout, stderr). */
  openFiles: number;
  /** Niceness (0..19); default 10 for low priority, else 0. */
  nice: number;
  /** Seconds over which a growing pattern reaches its peak. */
  rampSeconds: number;
}

export interface WorkloadProfile {
  id: string;
  title: string;
  description: string;
  /** Processes when none are asked for. */
  processes: number;
  /** Churn: low-priority processes ended and replaced per minute (then medium, then high; never critical). */
  churnPerMinute: number;
  kinds: ProcessKind[];
  /** The file it came from. */
  file: string;
}

/** One simulated process as the engine knows it. */
export interface WorkloadProcess {
  pid: number;
  /** /proc start time in clock ticks: with the pid it names this process and no later one. */
  startTime: number;
  name: string;
  comm: string;
  kind: string;
  priority: Priority;
  cpuPattern: CpuPattern;
  memoryPattern: MemoryPattern;
  /** Unix ms. */
  startedAt: number;
}

/** A process's figures from /proc at one moment. */
export interface ProcessSample extends WorkloadProcess {
  /** Percent of one core since the previous sample. */
  cpuPercent: number;
  cpuSeconds: number;
  rssBytes: number;
  /** Its proportional share of memory (PSS): RSS also counts the pages it shares, once per process. */
  pssBytes: number;
  threads: number;
}

export interface WorkloadTotals {
  processes: number;
  /** Sum of the processes' CPU, percent of one core. */
  cpuPercent: number;
  /** Sum of the processes' RSS (shared libraries counted once per process, as each process's RSS does). */
  rssBytes: number;
  /** Sum of their PSS: the memory the workload takes in all. */
  pssBytes: number;
  /** firedrill's own CPU managing the workload, percent of one core. */
  ownCpuPercent: number;
  churned: number;
  died: number;
  restarted: number;
}

export type ChaosTrigger =
  | { action: 'cpu-spike'; kind: string; percent: number; seconds: number }
  | { action: 'memory-leak'; kind?: string; pid?: number; mbPerSecond: number; maxMb: number }
  | { action: 'kill'; priority: Priority }
  | { action: 'churn-burst'; count: number };

export type ChaosAction = ChaosTrigger['action'];
export const CHAOS_ACTIONS = ['cpu-spike', 'memory-leak', 'kill', 'churn-burst'] as const satisfies readonly ChaosAction[];

export interface ChaosResult {
  action: ChaosAction;
  /** The processes it touched (none when nothing matched). */
  targets: WorkloadProcess[];
  /** One sentence for people. */
  message: string;
}

export type WorkloadStatus = 'starting' | 'running' | 'stopping' | 'finished' | 'failed';

export type WorkloadEvent =
  | { type: 'starting'; workloadId: string; profile: string; processes: number; engine: string }
  | { type: 'progress'; started: number; of: number }
  | { type: 'started'; workloadId: string; processes: number; elapsedMs: number }
  | { type: 'churned'; ended: WorkloadProcess; started: WorkloadProcess | null; reason: 'rate' | 'burst' }
  | { type: 'died'; process: WorkloadProcess; code: number | null; signal: string | null; restart: boolean; cause: 'lifetime' | 'chaos' | 'unexpected' }
  | { type: 'restarted'; previous: WorkloadProcess; process: WorkloadProcess }
  | { type: 'chaos'; result: ChaosResult }
  | { type: 'sample'; at: number; totals: WorkloadTotals; processes: ProcessSample[] }
  | { type: 'notice'; message: string }
  | { type: 'finished'; status: 'finished' | 'failed'; reason: string; summary: WorkloadSummary };

export interface WorkloadSummary {
  workloadId: string;
  profile: string;
  engine: string;
  requested: number;
  startedAt: number;
  finishedAt: number;
  /** Wall time to start every initial process. */
  startMs: number;
  processesStarted: number;
  churned: number;
  died: number;
  restarted: number;
  chaos: number;
  peakRssBytes: number;
  peakPssBytes: number;
  peakCpuPercent: number;
  /** Mean of firedrill's own CPU over the samples, percent of one core. */
  ownCpuPercent: number;
  /** Processes still alive once it had ended (0 when all went). */
  leftBehind: number;
}
