import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FiredrillConfig } from '../config/config.js';
import { createDetectors, resolveEndpoint } from '../monitor/alerts/detector.js';
import type { MonitoringEndpoint } from '../monitor/alerts/http.js';
import type { Detector } from '../monitor/detector.js';
import { experimentReportHtml } from './html-report.js';
import { toJournal } from './journal.js';
import { experimentsToJunit } from './junit.js';
import { FAULT_KINDS, kindNamed, PROBE_KINDS } from './kinds/index.js';
import { riskRank, type Risk } from './kinds/types.js';
import { loadExperimentFile, loadExperiments, type ExperimentLoadError } from './load.js';
import type { Experiment } from './schema.js';
import type { ExperimentResult } from './types.js';

/** What the headless commands and the console share before and after an experiment runs. */

/** An id from the folder, or a path to a file (anything with a slash or a .yaml / .yml ending). */
export function findExperiment(idOrFile: string, dir: string): { experiment: Experiment } | { error: string } {
  if (idOrFile.includes('/') || /\.ya?ml$/i.test(idOrFile)) {
    const loaded = loadExperimentFile(path.resolve(idOrFile));
    return 'error' in loaded ? { error: loaded.error.message } : loaded;
  }
  const { experiments, errors } = loadExperiments(dir);
  const found = experiments.find((experiment) => experiment.id === idOrFile);
  if (found) return { experiment: found };
  const broken = errors.find((error: ExperimentLoadError) => path.basename(error.file).replace(/\.ya?ml$/i, '') === idOrFile);
  if (broken) return { error: broken.message };
  const known = experiments.map((experiment) => experiment.id).join(', ');
  return { error: `no experiment "${idOrFile}" in ${dir}${known ? ` (there are: ${known})` : ''}` };
}

/**
 * The runbook's approvals: low runs as is, medium needs --yes, high needs --yes --risk high.
 * Returns the refusal sentence, or null.
 */
export function riskRefusal(experiment: Pick<Experiment, 'id' | 'risk'>, approval: { yes: boolean; risk?: Risk }): string | null {
  const allowed: Risk = approval.yes ? (approval.risk ?? 'medium') : 'low';
  if (riskRank(experiment.risk) <= riskRank(allowed)) return null;
  const needs = experiment.risk === 'high' ? '--yes --risk high' : '--yes';
  return `${experiment.id} is ${experiment.risk} risk: add ${needs} to run it`;
}

/** The user's Prometheus for prometheus probes: flag, then environment, then config. */
export function prometheusFor(config: FiredrillConfig, env: NodeJS.ProcessEnv, flagUrl?: string): MonitoringEndpoint | undefined {
  return resolveEndpoint('PROMETHEUS', '--prometheus', flagUrl, env, config.detection.prometheus);
}

/** Detectors for the experiment's expected alert (any new alert counts when it names none). */
export function detectorsFor(
  experiment: Experiment,
  config: FiredrillConfig,
  env: NodeJS.ProcessEnv,
  flags: { prometheusUrl?: string; alertmanagerUrl?: string },
): Detector[] {
  const expectation = experiment.detection;
  return createDetectors(config.detection, env, flags, expectation ? { [experiment.id]: expectation } : {});
}

/** Why this experiment cannot run on this machine with this setup (kinds' own checks), or []. */
export async function setupProblems(
  experiment: Experiment,
  context: { config: FiredrillConfig; env: NodeJS.ProcessEnv; prometheus?: MonitoringEndpoint },
): Promise<string[]> {
  const problems: string[] = [];
  for (const [index, probe] of experiment.steady_state.probes.entries()) {
    const problem = kindNamed(PROBE_KINDS, probe.kind).check?.(probe as never, context);
    if (problem) problems.push(`steady_state.probes.${index}: ${problem}`);
  }
  for (const [index, step] of experiment.method.entries()) {
    if (!step.fault) continue;
    const problem = await kindNamed(FAULT_KINDS, step.fault.kind).check?.(step.fault as never, context);
    if (problem) problems.push(`method.${index}.fault: ${problem}`);
  }
  return problems;
}

export interface OutputFiles {
  journal?: string;
  junit?: string;
  report?: string;
}

/** Refuses, before anything runs, output files whose folder does not exist. */
export function outputProblem(files: OutputFiles): string | null {
  for (const [flag, file] of Object.entries(files) as [keyof OutputFiles, string | undefined][]) {
    if (file !== undefined && !existsSync(path.dirname(path.resolve(file)))) return `--${flag}: the directory ${path.dirname(path.resolve(file))} does not exist`;
  }
  return null;
}

const WHAT: Record<keyof OutputFiles, string> = { journal: 'journal', junit: 'JUnit report', report: 'HTML report' };

/** Writes each file asked for with its renderer; returns a sentence per file that could not be written. */
export async function writeFiles(files: OutputFiles, render: Record<keyof OutputFiles, () => string>): Promise<string[]> {
  const problems: string[] = [];
  for (const key of Object.keys(WHAT) as (keyof OutputFiles)[]) {
    const file = files[key];
    if (file === undefined) continue;
    try {
      await writeFile(file, render[key]());
    } catch (error) {
      problems.push(`cannot write the ${WHAT[key]} ${file}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** The journal, JUnit and HTML report of one experiment, as asked for. */
export function writeOutputs(result: ExperimentResult, experiment: Experiment, files: OutputFiles): Promise<string[]> {
  return writeFiles(files, {
    journal: () => `${JSON.stringify(toJournal(result, experiment), null, 2)}\n`,
    junit: () => experimentsToJunit([result]),
    report: () => experimentReportHtml([result], { title: `Chaos experiment ${experiment.id}` }),
  });
}
