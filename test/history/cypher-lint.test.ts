import { lintCypherQuery } from '@neo4j-cypher/language-support';
import { describe, expect, it } from 'vitest';
import { ALL_CYPHER } from '../../src/history/cypher.js';

/** Errors and warnings Neo4j's own linter finds, except "parameter not defined" (ours are passed at run time). */
function problems(query: string): string[] {
  return lintCypherQuery(query, {})
    .diagnostics.filter((diagnostic) => !/^Parameter \$\w+ is not defined\.?$/.test(String(diagnostic.message)))
    .map((diagnostic) => `${diagnostic.severity === 1 ? "error" : "warning"}: ${String(diagnostic.message)}`);
}

describe('Cypher statements (linted by @neo4j-cypher/language-support)', () => {
  it('covers every statement the Neo4j store sends', () => {
    expect(ALL_CYPHER.map((statement) => statement.name)).toEqual(
      expect.arrayContaining(['SAVE_RUN', 'SAVE_DRILL_RESULTS', 'SAVE_EVENTS', 'SAVE_INCIDENT', 'LIST_RUNS', 'FAILURES', 'COMPARE']),
    );
  });

  it.each(ALL_CYPHER.map((statement) => [statement.name, statement.query] as const))('%s parses without errors or warnings', (_name, query) => {
    expect(problems(query)).toEqual([]);
  });

  it('catches a broken statement, so the check above can fail', () => {
    const broken = ALL_CYPHER.find((statement) => statement.name === 'LIST_RUNS')!.query.replace('RETURN', 'RETRUN');
    expect(problems(broken).some((problem) => problem.startsWith('error:'))).toBe(true);
  });

  it('takes only parameters, never interpolated values', () => {
    for (const { name, query } of ALL_CYPHER) {
      expect(query, name).not.toMatch(/\$\{/);
      expect(query, name).not.toMatch(/hostname: '[^']*'|id: '[^']*'/);
    }
  });
});
