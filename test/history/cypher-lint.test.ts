import { readFileSync } from 'node:fs';
import path from 'node:path';
import { highlightSyntax, lintCypherQuery } from '@neo4j-cypher/language-support';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as cypher from '../../src/history/cypher.js';
import { TRAINING_CYPHER } from '../../src/training/cypher.js';

const { ALL_CYPHER } = cypher;
const CYPHER_FILE = path.resolve('src/history/cypher.ts');
const STORE_FILE = path.resolve('src/history/neo4j-store.ts');
const TRAINING_CYPHER_FILE = path.resolve('src/training/cypher.ts');

/**
 * Each file of statements the Neo4j store sends, with its list of them (named as written: the
 * training list calls its schema statements TRAINING_SCHEMA_0..., written TRAINING_SCHEMA_STATEMENTS[0]...).
 */
const SOURCES = [
  { file: CYPHER_FILE, list: 'ALL_CYPHER', statements: ALL_CYPHER },
  {
    file: TRAINING_CYPHER_FILE,
    list: 'TRAINING_CYPHER',
    statements: TRAINING_CYPHER.map(({ name, query }) => ({ name: name.replace(/^TRAINING_SCHEMA_(\d+)$/, 'TRAINING_SCHEMA_STATEMENTS[$1]'), query })),
  },
];
const EVERY_STATEMENT = SOURCES.flatMap((source) => source.statements);

/** Errors and warnings Neo4j's own linter finds, except "parameter not defined" (ours are passed at run time). */
function problems(query: string): string[] {
  return lintCypherQuery(query, {})
    .diagnostics.filter((diagnostic) => !/^Parameter \$\w+ is not defined\.?$/.test(String(diagnostic.message)))
    .map((diagnostic) => `${diagnostic.severity === 1 ? 'error' : 'warning'}: ${String(diagnostic.message)}`);
}

/** The literal values in a statement, as Neo4j's lexer reads them (strings, numbers, booleans). */
function literals(query: string): string[] {
  return highlightSyntax(query)
    .filter((token) => ['stringLiteral', 'numberLiteral', 'booleanLiteral'].includes(String(token.tokenType)))
    .map((token) => token.token);
}

/**
 * The only literals the statements may hold: parts of the graph's shape (the original's System node
 * is named 'localhost') and arithmetic (0, 1, 0.0, a list's first element, success = false). Any
 * other value (a machine, an id, a time) must be a $parameter.
 */
const SHAPE_LITERALS: Record<string, string[]> = {
  SAVE_RUN: ["'localhost'"],
  SAVE_EVENTS: ["'localhost'"],
  FAILURES: ['false', '0'],
  COMPARE: ['0', '0'],
  STATS: ['0', '0'],
  PASS_RATE_TREND: ['0', '0.0', '0', '1'],
};

/** Every exported `const NAME = <initializer>` of a source file, as the compiler parses it. */
function exportedConstants(file: string): Map<string, ts.Expression> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const constants = new Map<string, ts.Expression>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement) || !statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.initializer) constants.set(declaration.name.text, declaration.initializer);
    }
  }
  return constants;
}

/** The text a reviewer reads: a plain string or a template without ${...}; undefined for anything computed. */
function writtenText(node: ts.Expression): string | undefined {
  const inner = ts.isAsExpression(node) ? node.expression : node;
  if (ts.isNoSubstitutionTemplateLiteral(inner) || ts.isStringLiteral(inner)) return inner.text;
  return undefined;
}

/** What the source says each statement is: name -> text, from the file itself. */
function statementsAsWritten(file: string, list: string): Map<string, string | undefined> {
  const written = new Map<string, string | undefined>();
  for (const [name, initializer] of exportedConstants(file)) {
    if (name === list) continue;
    const inner = ts.isAsExpression(initializer) ? initializer.expression : initializer;
    if (ts.isArrayLiteralExpression(inner)) {
      inner.elements.forEach((element, index) => written.set(`${name}[${index}]`, writtenText(element)));
    } else {
      written.set(name, writtenText(initializer));
    }
  }
  return written;
}

describe('Cypher statements (linted by @neo4j-cypher/language-support)', () => {
  it('covers every statement the Neo4j store sends, and the store sends nothing else', () => {
    const names = EVERY_STATEMENT.map((statement) => statement.name);
    expect(names).toEqual(
      expect.arrayContaining(['SAVE_RUN', 'SAVE_DRILL_RESULTS', 'SAVE_EVENTS', 'SAVE_INCIDENT', 'SAVE_SESSION', 'LIST_RUNS', 'LIST_SESSIONS', 'SAVE_TRAINING_ATTEMPT']),
    );
    // Every statement exported by cypher.ts (and training's) is in its list (so it is linted) ...
    for (const { file, list, statements } of SOURCES) {
      expect([...statementsAsWritten(file, list).keys()].sort(), file).toEqual(statements.map((statement) => statement.name).sort());
    }
    // ... and the store's every session.run / tx.run / read takes one of them by name, never a string of its own.
    const store = readFileSync(STORE_FILE, 'utf8');
    const calls = [...store.matchAll(/(?:\.run|this\.read)\(\s*([^,)\s]+)/g)].map((match) => match[1]!);
    expect(calls.length).toBeGreaterThan(10);
    const statementNames = new Set(names.map((name) => name.replace(/\[\d+\]$/, '')));
    // `query` and `statement` are the helpers' own parameters (read() and the schema loop), passed through.
    for (const argument of calls) expect(statementNames.has(argument) || ['query', 'statement'].includes(argument), `store sends ${argument}`).toBe(true);
  });

  it.each(EVERY_STATEMENT.map((statement) => [statement.name, statement.query] as const))('%s parses without errors or warnings', (_name, query) => {
    expect(problems(query)).toEqual([]);
  });

  it('catches a broken statement, so the check above can fail', () => {
    const broken = ALL_CYPHER.find((statement) => statement.name === 'LIST_RUNS')!.query.replace('RETURN', 'RETRUN');
    expect(problems(broken).some((problem) => problem.startsWith('error:'))).toBe(true);
  });

  it.each(EVERY_STATEMENT.map((statement) => [statement.name, statement.query] as const))('%s takes every value as a $parameter', (name, query) => {
    expect(literals(query).sort()).toEqual([...(SHAPE_LITERALS[name] ?? [])].sort());
  });

  it('catches a value written into a statement, so the check above can fail', () => {
    const listRuns = ALL_CYPHER.find((statement) => statement.name === 'LIST_RUNS')!.query;
    const withHost = listRuns.replace('machine.hostname = $machine', "machine.hostname = 'web-1'");
    const withLimit = listRuns.replace('LIMIT $limit', 'LIMIT 20');
    expect(literals(withHost)).toEqual(["'web-1'"]);
    expect(literals(withLimit)).toEqual(['20']);
  });

  it('runs exactly the text written in cypher.ts: no ${...}, no statement built in code', () => {
    for (const { file, list, statements } of SOURCES) {
      const written = statementsAsWritten(file, list);
      for (const { name, query } of statements) {
        expect(written.get(name), `${name} is not written out as one string in ${file}`).toBe(query);
      }
    }
  });

  it('catches an interpolated statement, so the check above can fail', () => {
    const file = path.join(path.dirname(CYPHER_FILE), 'example-cypher.ts');
    const source = [
      "const COLUMNS = 'run.id AS id';",
      'export const PLAIN = `MATCH (run:TestRun) RETURN run.id AS id`;',
      'export const BUILT = `MATCH (run:TestRun) RETURN ${COLUMNS}`;',
      "export const CONCATENATED = 'MATCH (run:TestRun) ' + 'RETURN run';",
    ].join('\n');
    const parsed = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
    const texts = new Map<string, string | undefined>();
    for (const statement of parsed.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) texts.set(declaration.name.text, writtenText(declaration.initializer));
      }
    }
    expect(texts.get('PLAIN')).toBe('MATCH (run:TestRun) RETURN run.id AS id');
    expect(texts.get('BUILT')).toBeUndefined();
    expect(texts.get('CONCATENATED')).toBeUndefined();
  });
});
