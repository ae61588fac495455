import { attributes, escapeXml } from '../report/junit.js';
import { faultVerdictLine, figuresLine, seconds } from './text.js';
import type { ExperimentResult } from './types.js';

/**
 * JUnit XML for CI: one testsuite per experiment; a testcase for the steady state before, one
 * per fault (a <failure> when it did not recover, or could not act) and one per rollback.
 */
export function experimentsToJunit(results: readonly ExperimentResult[], name = 'firedrill experiments'): string {
  const suites = results.map(suite);
  const tests = suites.reduce((sum, item) => sum + item.tests, 0);
  const failures = suites.reduce((sum, item) => sum + item.failures, 0);
  const time = results.reduce((sum, result) => sum + (result.finishedAt - result.startedAt), 0) / 1000;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes({ name, tests, failures, errors: 0, time: time.toFixed(3) })}>`,
    ...suites.flatMap((item) => item.lines),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Case {
  name: string;
  ms: number;
  failure?: { type: string; message: string };
  skipped?: string;
  out: string;
}

function suite(result: ExperimentResult): { tests: number; failures: number; lines: string[] } {
  const classname = `firedrill.experiment.${result.experiment.id}`;
  const cases: Case[] = [
    {
      name: 'steady state before',
      ms: 0,
      out: result.steadyStateBefore.detail,
      ...(result.steadyStateBefore.held ? {} : { failure: { type: 'SteadyStateNotMet', message: result.steadyStateBefore.detail } }),
    },
    ...result.faults.map((fault): Case => {
      const line = faultVerdictLine(fault);
      const failed = fault.verdict === 'not-recovered' || (fault.verdict === undefined && fault.problem !== undefined);
      return {
        name: `fault ${fault.step + 1}: ${fault.name}`,
        ms: (fault.endedAt ?? fault.startedAt) - fault.startedAt,
        out: `${fault.description}\n${line}`,
        ...(failed ? { failure: { type: fault.problem && !fault.verdict ? 'FaultFailed' : 'NotRecovered', message: fault.problem ?? line } } : {}),
        ...(fault.verdict === undefined && !failed ? { skipped: 'interrupted' } : {}),
      };
    }),
    ...result.rollbacks.map((rollback): Case => ({
      name: `rollback: ${rollback.name}`,
      ms: 0,
      out: rollback.detail,
      ...(rollback.ok ? {} : { failure: { type: 'RollbackFailed', message: rollback.detail } }),
    })),
  ];
  const failures = cases.filter((item) => item.failure).length;
  const lines = [
    `  <testsuite ${attributes({
      name: `${result.experiment.id}: ${result.experiment.title}`,
      id: result.runId,
      hostname: result.machine,
      timestamp: new Date(result.startedAt).toISOString(),
      tests: cases.length,
      failures,
      errors: 0,
      skipped: cases.filter((item) => item.skipped).length,
      time: ((result.finishedAt - result.startedAt) / 1000).toFixed(3),
    })}>`,
    '    <properties>',
    ...[
      ['status', result.status],
      ['verdict', result.verdict ?? 'none'],
      ['risk', result.experiment.risk],
      ['mttr_seconds', result.figures.mttrMs === null ? '' : (result.figures.mttrMs / 1000).toFixed(3)],
      ['fault_tolerance', result.figures.faultTolerance === null ? '' : result.figures.faultTolerance.toFixed(4)],
      ['availability', result.figures.availability === null ? '' : result.figures.availability.toFixed(4)],
    ].map(([name, value]) => `      <property ${attributes({ name: name!, value: value! })}/>`),
    '    </properties>',
    ...cases.flatMap((item) => [
      `    <testcase ${attributes({ classname, name: item.name, time: (item.ms / 1000).toFixed(3) })}>`,
      ...(item.failure ? [`      <failure ${attributes({ message: item.failure.message, type: item.failure.type })}>${escapeXml(item.failure.message)}</failure>`] : []),
      ...(item.skipped ? [`      <skipped ${attributes({ message: item.skipped })}/>`] : []),
      `      <system-out>${escapeXml(item.out)}</system-out>`,
      '    </testcase>',
    ]),
    `    <system-out>${escapeXml(`${result.summary}\n${figuresLine(result.figures)}\nduration ${seconds(result.finishedAt - result.startedAt)}`)}</system-out>`,
    '  </testsuite>',
  ];
  return { tests: cases.length, failures, lines };
}
