/**
 * Live exercises (advanced): a real fault on this machine (src/live/faults.ts: a runaway process
 * under a plausible name, a process leaking memory, a temporary file filling the disk, a service
 * down), watched by the live incident engine (src/live/incident.ts) with its analysis held back.
 * The trainee sees the gauges, the process table and the timeline, and answers three stages:
 *  1. detection: which resource is in trouble;
 *  2. localisation: which process, file or service (candidates from the process table, the
 *     directory being filled, the services);
 *  3. mitigation: an act, done for real from the console: stop a process, delete a file, restart
 *     a service. Only what firedrill created can be acted on: the fault itself and two idle decoy
 *     processes under plausible names (so that stopping the wrong process is possible, and harmless).
 * firedrill then checks that the mitigation really happened (the process gone, the disk space
 * back, the service answering its health check), times detection and mitigation from the fault's
 * start, and, whatever the trainee did, ends the fault and the decoys (the cleanup ledger has them
 * from their first moment).
 */
import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DrillsConfig } from '../config/config.js';
import type { Ledger } from '../drills/ledger.js';
import { isSameProcessAlive, readDisk } from '../drills/proc.js';
import { httpHealthy } from '../drills/services.js';
import { seededRandom } from '../incidents/metric-series.js';
import type { Analyzer, IncidentEvent } from '../incidents/types.js';
import { createLiveFault, type FaultTarget, type LiveFault } from '../live/faults.js';
import { runLiveIncident, type LiveIncidentEvent } from '../live/incident.js';
import type { LiveFaultSpec } from '../live/spec.js';
import type { LiveExerciseDefinition, LiveResource } from './live-exercises.js';
import type { ProcessWithCommand } from '../monitor/processes.js';
import { QueuedExercise } from './controller.js';
import { debriefOf, finishAttempt, HeldAnalyzer, type KeepAttempt } from './exercise.js';
import { DEFAULT_RULES, type ScoringRules } from './scoring.js';
import { shuffle } from './sheet.js';
import { type AttemptRecord, type Candidate, type ExerciseEvent, type ExerciseSheet, type StageAnswer, type StageQuestion } from './types.js';

const RESOURCES: readonly Candidate[] = [
  { id: 'cpu', label: 'CPU' },
  { id: 'memory', label: 'Memory' },
  { id: 'disk', label: 'Disk space' },
  { id: 'service', label: "A service's health" },
];

const DECOY_NAMES = ['metrics-agent', 'log-shipper', 'backup-agent', 'cron-runner', 'cache-warmer'] as const;

export interface LiveExerciseOptions {
  definition: LiveExerciseDefinition;
  trainee: string;
  seed: number;
  parSeconds: number;
  analyzer: Analyzer;
  knownRootCauses: string[];
  ledger: Ledger;
  drills: DrillsConfig;
  /** Takes the drill lock and removes an interrupted run's leftovers; released when the exercise ends. */
  prepare(): Promise<{ release(): void }>;
  rules?: ScoringRules;
  keep?: KeepAttempt;
  machine?: string;
  /** Shorter in tests: readings every `sampleMs`, a baseline of `baselineSeconds`. */
  timing?: { sampleMs?: number; baselineSeconds?: number };
  /** Smaller faults in tests (merged into the definition's). */
  faultOverrides?: Partial<Record<LiveFaultSpec['fault'], Record<string, unknown>>>;
}

type Own =
  | { kind: 'live'; event: LiveIncidentEvent }
  | { kind: 'live-ended'; error?: string }
  | { kind: 'acted'; answer: StageAnswer; verified: string };

/** What the mitigation stage offers: an act on something firedrill created. */
interface Act {
  candidate: Candidate;
  run(): Promise<void>;
  /** Whether the fault is really gone after the act (polled). */
  right: boolean;
}

export class LiveExercise extends QueuedExercise<Own> {
  readonly sheet: ExerciseSheet;
  private readonly random: () => number;

  constructor(private readonly options: LiveExerciseOptions) {
    super();
    this.random = seededRandom(options.seed);
    const { definition } = options;
    this.sheet = {
      exerciseId: definition.id,
      title: definition.title,
      kind: 'live',
      level: 'advanced',
      service: os.hostname(),
      severity: 'high',
      parSeconds: options.parSeconds,
      seed: options.seed,
      questions: [
        {
          stage: 'detection',
          question: 'Which resource is in trouble?',
          candidates: shuffle(RESOURCES, this.random),
          answers: [definition.resource],
          why: `${RESOURCES.find((resource) => resource.id === definition.resource)!.label} left its baseline when the fault started`,
        },
        { stage: 'localisation', question: 'Which process, file or service is the cause?', candidates: [], answers: [], why: '' },
        { stage: 'mitigation', question: 'Mitigate it: what do you do?', candidates: [], answers: [], why: '' },
      ],
      hints: {
        detection: ['Compare the gauges with how they looked during the baseline.'],
        localisation: ['Sort by what is in trouble: the busiest process by CPU or by memory, the newest large file, the failing health check.'],
        root_cause: [],
        mitigation: ['Act on what you named, and nothing else.'],
      },
      debrief: definition.explanation,
    };
  }

  async *events(signal: AbortSignal): AsyncGenerator<ExerciseEvent, AttemptRecord | undefined> {
    const stopListening = this.begin(signal);
    const { options, sheet } = this;
    const rules = options.rules ?? DEFAULT_RULES;
    const attemptId = `att_${randomBytes(6).toString('hex')}`;
    const startedAt = new Date();
    const liveController = new AbortController();
    const stopLive = () => liveController.abort(signal.reason);
    signal.addEventListener('abort', stopLive, { once: true });

    let lock: { release(): void } | undefined;
    const decoys: LiveFault[] = [];
    let fault: LiveFault | undefined;
    let live: Promise<void> | undefined;
    let attempt: AttemptRecord | undefined;
    let liveEnded = false;
    const answers: StageAnswer[] = [];
    let stageIndex = -1;
    let stageOpenedAt = 0;
    let faultStartedAt: number | undefined;
    let latestProcesses: ProcessWithCommand[] = [];
    let acts: Act[] = [];
    let acting = false;
    let freeAtStart: number | undefined;
    const held = new HeldAnalyzer(options.analyzer);

    const openStage = (index: number): ExerciseEvent => {
      stageIndex = index;
      stageOpenedAt = Date.now();
      this.hintsTaken = 0;
      const question = sheet.questions[index]!;
      return { type: 'stage-opened', stage: question.stage, index, question: question.question, candidates: question.candidates, hintsLeft: sheet.hints[question.stage].length, at: new Date(stageOpenedAt).toISOString() };
    };
    const record = (question: StageQuestion, candidate: Candidate, correct: boolean): StageAnswer => ({
      stage: question.stage,
      candidateId: candidate.id,
      label: candidate.label,
      correct,
      answeredAt: new Date().toISOString(),
      // Live stages are timed from the fault's start: time to detect, to localise, to mitigate.
      elapsedMs: Date.now() - (faultStartedAt ?? stageOpenedAt),
      hintsUsed: this.hintsTaken,
    });

    try {
      yield {
        type: 'exercise-started',
        attemptId,
        exerciseId: sheet.exerciseId,
        kind: 'live',
        trainee: options.trainee,
        level: 'advanced',
        service: sheet.service,
        severity: 'high',
        parSeconds: sheet.parSeconds,
        hintCost: rules.hintCost,
        seed: sheet.seed,
        context: { host: os.hostname(), exercise: 'a real fault on this machine: only what firedrill created can be acted on' },
        metrics: [],
        startedAt: startedAt.toISOString(),
      };
      lock = await options.prepare();
      const base = options.definition.fault(this.random);
      const spec = { ...base, ...(options.faultOverrides?.[base.fault] ?? {}) } as LiveFaultSpec;
      fault = createLiveFault(spec, { ledger: options.ledger, drills: options.drills });
      for (const name of shuffle(DECOY_NAMES, this.random).slice(0, 2)) {
        // An idle process under a plausible name: a leak that is never told to begin.
        const decoy = createLiveFault({ fault: 'memory_leak', process_name: name, rate_mb_per_second: 1, limit_mb: 16 }, { ledger: options.ledger, drills: options.drills });
        decoys.push(decoy);
        await decoy.prepare();
      }
      live = this.pump(fault, held, liveController.signal);

      for await (const item of this.queue) {
        if (item.kind === 'abort') break;
        if (item.kind === 'live-ended') {
          liveEnded = true;
          if (item.error !== undefined && !attempt) {
            yield { type: 'exercise-finished', status: 'failed', error: item.error };
            return undefined;
          }
          if (attempt && this.kept) break;
          if (!attempt && !acting) {
            yield { type: 'exercise-finished', status: 'failed', error: 'the live incident ended before the exercise did' };
            return undefined;
          }
          continue;
        }
        if (item.kind === 'kept') {
          const said = this.onKept(item);
          if (said) yield said;
          if (liveEnded) break;
          continue;
        }
        if (item.kind === 'live') {
          const event = item.event;
          if (event.type === 'processes') {
            latestProcesses = event.processes;
            yield { type: 'processes', at: event.at, processes: event.processes.map(({ pid, name, cpuPercent, rssBytes, state }) => ({ pid, name, cpuPercent, rssBytes, state })) };
            continue;
          }
          if (event.type === 'fault' && event.state === 'started' && faultStartedAt === undefined) {
            faultStartedAt = Date.now();
            freeAtStart = fault.directory ? (await readDisk(fault.directory).catch(() => null))?.availableBytes : undefined;
            yield openStage(0);
            continue;
          }
          if (event.type === 'live-phase' || event.type === 'fault' || event.type === 'detected' || event.type === 'verdict') {
            if (attempt && event.type === 'verdict') {
              yield { type: 'notice', level: event.verdict.matched ? 'info' : 'warn', message: `the analyzer ${event.verdict.matched ? 'found' : 'did not find'} the fault: ${event.verdict.top?.description ?? 'no hypothesis'}` };
            }
            continue;
          }
          const shown = attempt ? event : liveWhileAnswering(event);
          if (shown) yield { type: 'incident', event: shown };
          continue;
        }
        if (item.kind === 'acted') {
          acting = false;
          answers.push(item.answer);
          yield { type: 'answer-recorded', answer: item.answer };
          yield { type: 'notice', level: item.answer.correct ? 'info' : 'warn', message: item.verified };
          attempt = finishAttempt({
            id: attemptId,
            sheet,
            trainee: options.trainee,
            machine: options.machine ?? os.hostname(),
            startedAt,
            durationMs: Date.now() - (faultStartedAt ?? startedAt.getTime()),
            answers,
            rules,
          });
          yield { type: 'exercise-scored', attempt, debrief: debriefOf(sheet, attempt) };
          held.release();
          this.keepBeside(options.keep, attempt);
          continue;
        }
        const question = sheet.questions[stageIndex];
        if (attempt || acting || !question) {
          yield { type: 'notice', level: 'info', message: stageIndex < 0 ? 'the fault has not started yet: watch the baseline' : 'firedrill is checking your mitigation' };
          continue;
        }
        if (item.kind === 'hint') {
          yield this.takeHint(question, rules);
          continue;
        }
        const candidate = question.candidates.find((entry) => entry.id === item.candidateId);
        if (!candidate) {
          yield { type: 'notice', level: 'warn', message: `"${item.candidateId}" is not an answer to ${question.stage}` };
          continue;
        }
        if (question.stage === 'mitigation') {
          const act = acts.find((entry) => entry.candidate.id === candidate.id)!;
          acting = true;
          const answerOf = (correct: boolean) => ({ ...record(question, candidate, correct), ...(candidate.riskLevel ? { riskLevel: candidate.riskLevel } : {}) });
          yield { type: 'notice', level: 'info', message: `${candidate.label}: done, checking that it worked…` };
          void this.act(act, fault, freeAtStart).then((outcome) => this.queue.push({ kind: 'acted', answer: answerOf(act.right && outcome.verified), verified: outcome.message }));
          continue;
        }
        const answer = record(question, candidate, question.answers.includes(candidate.id));
        answers.push(answer);
        yield { type: 'answer-recorded', answer };
        if (question.stage === 'detection') {
          Object.assign(sheet.questions[1]!, localisationQuestion(fault, latestProcesses, options.definition.resource, this.random));
          yield openStage(1);
        } else {
          acts = actsFor(fault, decoys, this.random);
          Object.assign(sheet.questions[2]!, {
            candidates: acts.map((entry) => entry.candidate),
            answers: acts.filter((entry) => entry.right).map((entry) => entry.candidate.id),
            why: `${acts.find((entry) => entry.right)?.candidate.label ?? 'the act on the fault'}, then checked: ${fault.title} gone`,
          });
          yield openStage(2);
        }
      }
      const lastWord = await this.lastWordOnKeeping();
      if (lastWord) yield lastWord;
      yield { type: 'exercise-finished', status: signal.aborted ? 'stopped' : 'completed' };
      return attempt;
    } finally {
      stopListening();
      signal.removeEventListener('abort', stopLive);
      // Whatever the trainee did or did not do: the live incident ends the fault, the decoys go.
      liveController.abort(new Error('the exercise ended'));
      this.queue.close();
      await live;
      await fault?.dispose().catch(() => undefined);
      for (const decoy of decoys) await decoy.dispose().catch(() => undefined);
      lock?.release();
    }
  }

  private async pump(fault: LiveFault, analyzer: Analyzer, signal: AbortSignal): Promise<void> {
    try {
      for await (const event of runLiveIncident({
        fault,
        analyzer,
        knownRootCauses: this.options.knownRootCauses,
        signal,
        ...(this.options.timing?.sampleMs === undefined ? {} : { sampleMs: this.options.timing.sampleMs }),
        ...(this.options.timing?.baselineSeconds === undefined ? {} : { baselineSeconds: this.options.timing.baselineSeconds }),
        // The trainee has all the time needed; once the analysis is out, firedrill ends what is left.
        detectWithinSeconds: 600,
        holdSeconds: 1,
        recoverWithinSeconds: 3,
      })) {
        this.queue.push({ kind: 'live', event });
      }
      this.queue.push({ kind: 'live-ended' });
    } catch (error) {
      this.queue.push({ kind: 'live-ended', error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Does the act, then checks for a few seconds that the fault is really gone. */
  private async act(act: Act, fault: LiveFault, freeAtStart: number | undefined): Promise<{ verified: boolean; message: string }> {
    try {
      await act.run();
    } catch (error) {
      return { verified: false, message: `${act.candidate.label} failed: ${(error as Error).message}` };
    }
    const deadline = Date.now() + 3000;
    for (;;) {
      const check = await verifyGone(fault, freeAtStart);
      if (check.gone) return { verified: true, message: `verified: ${check.detail}` };
      if (Date.now() > deadline) return { verified: false, message: `not mitigated: ${check.detail}` };
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Whether the fault is over, as a person would check it: the process gone, the space back, the health check passing. */
async function verifyGone(fault: LiveFault, freeAtStart: number | undefined): Promise<{ gone: boolean; detail: string }> {
  const target = fault.target();
  if (fault.kind === 'service_down') {
    const probe = fault.probe();
    const healthy = probe ? await httpHealthy(probe.url) : false;
    return { gone: healthy, detail: healthy ? `${probe?.name} answers its health check again` : `${probe?.name ?? 'the service'} still fails its health check` };
  }
  if (fault.kind === 'disk_filling') {
    const present = await fault.isPresent();
    const free = fault.directory ? (await readDisk(fault.directory).catch(() => null))?.availableBytes : undefined;
    // Back to what was free when the fault began, give or take what others wrote meanwhile (64 MiB).
    const back = free !== undefined && freeAtStart !== undefined && free >= freeAtStart - 64 * 1024 * 1024;
    return { gone: !present && back, detail: !present ? (back ? 'the file is gone and the disk space is back' : 'the file is gone, the space is not back yet') : 'the file is still there' };
  }
  const present = await fault.isPresent();
  return { gone: !present, detail: present ? `${target?.kind === 'process' ? `${target.name} (pid ${target.pid})` : 'the process'} is still running` : 'the process is gone' };
}

/** Candidates for "which process, file or service": the fault's own among what the trainee can see. */
function localisationQuestion(fault: LiveFault, processes: readonly ProcessWithCommand[], resource: LiveResource, random: () => number): Pick<StageQuestion, 'candidates' | 'answers' | 'why'> {
  const target = fault.target() ?? (fault.probe() ? { kind: 'service' as const, name: fault.probe()!.name, url: fault.probe()!.url } : null);
  const right = targetCandidate(target);
  const sorted = [...processes].sort((a, b) => (resource === 'memory' ? b.rssBytes - a.rssBytes : (b.cpuPercent ?? 0) - (a.cpuPercent ?? 0)));
  const others = sorted
    .filter((process) => !(target?.kind === 'process' && process.pid === target.pid))
    .slice(0, 4)
    .map((process) => ({ id: `process:${process.pid}`, label: `process ${process.name} (pid ${process.pid})` }));
  const candidates = shuffle(right ? [right, ...others] : others, random);
  return { candidates, answers: right ? [right.id] : [], why: right ? `${fault.title}: ${fault.describe()}` : fault.title };
}

function targetCandidate(target: FaultTarget | null): Candidate | undefined {
  if (!target) return undefined;
  switch (target.kind) {
    case 'process':
      return { id: `process:${target.pid}`, label: `process ${target.name} (pid ${target.pid})` };
    case 'file':
      return { id: `file:${target.path}`, label: `file ${path.basename(target.path)} in ${path.dirname(target.path)}` };
    case 'service':
      return { id: `service:${target.name}`, label: `service ${target.name} (${target.url})` };
  }
}

/** The acts on offer: on the fault, and on the decoys (stopping one is harmless, and wrong). */
function actsFor(fault: LiveFault, decoys: readonly LiveFault[], random: () => number): Act[] {
  const acts: Act[] = [];
  const target = fault.target();
  if (target?.kind === 'process') acts.push({ candidate: stopCandidate(target), run: () => stopProcess(target), right: true });
  if (target?.kind === 'file') {
    acts.push({
      candidate: { id: `delete:${target.path}`, label: `delete ${target.path} (${Math.round(target.bytes / 1024 / 1024)} MiB)`, riskLevel: 'low' },
      run: () => unlink(target.path),
      right: true,
    });
  }
  const probe = fault.probe();
  if (fault.kind === 'service_down' && probe) {
    acts.push({ candidate: { id: `restart:${probe.name}`, label: `restart service ${probe.name} (health check ${probe.url})`, riskLevel: 'low' }, run: () => fault.end(), right: true });
  }
  for (const decoy of decoys) {
    const decoyTarget = decoy.target();
    if (decoyTarget?.kind === 'process') acts.push({ candidate: stopCandidate(decoyTarget), run: () => stopProcess(decoyTarget), right: false });
  }
  return shuffle(acts, random);
}

// Acts carry no detail column: the menu then gives the label the whole width (the pid must show).
function stopCandidate(target: Extract<FaultTarget, { kind: 'process' }>): Candidate {
  return { id: `stop:${target.pid}`, label: `stop process ${target.name} (pid ${target.pid}) with SIGTERM`, riskLevel: 'medium' };
}

/** SIGTERM to a process firedrill started, and only if it is still that process (pid and start time). */
async function stopProcess(target: Extract<FaultTarget, { kind: 'process' }>): Promise<void> {
  if (target.startTime !== null && !isSameProcessAlive(target.pid, target.startTime)) return;
  process.kill(target.pid, 'SIGTERM');
}

/** What the trainee sees of the live incident while answering: the baseline, the alert (not which metric), never the analysis or the fault's name. */
export function liveWhileAnswering(event: IncidentEvent): IncidentEvent | undefined {
  if (event.type !== 'timeline') return undefined;
  if (event.message.startsWith('taking a baseline')) return event;
  if (event.message.startsWith('anomaly detected')) return { ...event, message: 'alert: a node metric is three sigmas off its baseline' };
  return undefined;
}
