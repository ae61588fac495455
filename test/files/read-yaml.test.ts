import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_YAML_BYTES, parseYamlFile, readYamlFile, YamlFileError } from '../../src/files/read-yaml.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-read-yaml-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function failure(run: () => unknown): YamlFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof YamlFileError) return error;
    throw error;
  }
  throw new Error('expected a YamlFileError');
}

describe('readYamlFile refuses what is not a small regular file, without blocking', () => {
  it('names a file whose name holds a newline or an escape sequence with them shown, never raw', () => {
    const file = write('evil\n\u001b[2Jname.yaml', 'a: [');
    const message = (() => {
      try {
        readYamlFile(file, { what: 'scenario file' });
      } catch (error) {
        return (error as YamlFileError).message;
      }
      return '';
    })();
    expect(message).toContain('evil\\n\\x1b[2Jname.yaml: not valid YAML');
    expect(message).not.toMatch(/[\n\u001b]/);
  });

  it('a FIFO named *.yaml: refused at once, naming it (a plain read would wait for a writer for ever)', () => {
    const fifo = path.join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const error = failure(() => readYamlFile(fifo, { what: 'config file' }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.message).toBe(`${fifo}: not a regular file (it is a named pipe (FIFO)); firedrill reads a config file only from a regular file`);
  });

  it('a device, a folder and a missing file', () => {
    expect(failure(() => readYamlFile('/dev/zero')).message).toContain('/dev/zero: not a regular file (it is a character device)');
    const folder = path.join(dir, 'folder.yaml');
    mkdirSync(folder);
    expect(failure(() => readYamlFile(folder)).message).toContain('it is a folder');
    const missing = failure(() => readYamlFile(path.join(dir, 'absent.yaml'), { what: 'scenario file' }));
    expect(missing.message).toBe(`${path.join(dir, 'absent.yaml')}: cannot read the scenario file (no such file)`);
    expect(missing.code).toBe('ENOENT');
  });

  it('a file above the bound, before a byte is parsed', () => {
    const big = write('big.yaml', `a: "${'x'.repeat(MAX_YAML_BYTES)}"\n`);
    expect(failure(() => readYamlFile(big)).message).toBe(`${big}: 262,150 bytes is too large for a file (at most 256 KiB)`);
    const small = write('small.yaml', 'a: 1\n'.repeat(10));
    expect(failure(() => readYamlFile(small, { maxBytes: 20 })).message).toBe(`${small}: 50 bytes is too large for a file (at most 20 bytes)`);
  });
});

describe('readYamlFile parses plain data only, with errors naming the file and the line', () => {
  it('refuses !!js/function and other unknown tags instead of printing a raw YAMLWarning', () => {
    const file = write('tag.yaml', 'id: x\nname: !!js/function "function () { return 1 }"\n');
    const warnings: unknown[] = [];
    const listener = (warning: unknown) => warnings.push(warning);
    process.on('warning', listener);
    try {
      expect(failure(() => readYamlFile(file)).message).toBe(`${file}: not valid YAML at line 2, column 7: unknown tag !!js/function (firedrill files hold plain data only)`);
    } finally {
      process.off('warning', listener);
    }
    expect(warnings).toEqual([]);
  });

  it('syntax errors, duplicate keys and alias bombs', () => {
    const broken = write('broken.yaml', 'a: 1\nb: [unclosed\n');
    expect(failure(() => readYamlFile(broken)).message).toMatch(new RegExp(`^${broken}: not valid YAML at line \\d+, column \\d+: `));
    const twice = write('twice.yaml', 'a: 1\nb: 2\nc:\n  d: 1\n  d: 2\n');
    expect(failure(() => readYamlFile(twice)).message).toBe(`${twice}: not valid YAML at line 5, column 3: the key "d" appears twice in one mapping`);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, index) => `${'bcdefghi'[index]}: &${'bcdefghi'[index]} [${Array(10).fill(`*${'abcdefgh'[index]}`).join(', ')}]`)].join('\n');
    expect(failure(() => readYamlFile(write('bomb.yaml', bomb))).message).toMatch(/not valid YAML: .*alias/i);
  });

  it('with a schema, every field says what was expected, what was found and its line', () => {
    const file = write('typed.yaml', ['name: demo', 'count: "300"', 'ratio: .nan', 'big: 1e400', 'items: 5', 'nested:', '  level: extreme', ''].join('\n'));
    const schema = z.strictObject({
      name: z.string().max(3),
      count: z.number(),
      ratio: z.number(),
      big: z.number(),
      items: z.array(z.string()),
      nested: z.strictObject({ level: z.enum(['low', 'high']) }),
      absent: z.number(),
    });
    const error = failure(() => parseYamlFile(file, schema));
    expect(error.field).toBe('name');
    expect(error.message).toBe(
      `${file}: name: expected at most 3 characters, found "demo" (a string) (line 1); ` +
        'count: expected a number, found "300" (a string) (line 2); ' +
        'ratio: expected a number, found .nan (not a number) (line 3); ' +
        'big: expected a number, found infinity (.inf, or a number too large to hold) (line 4); ' +
        'items: expected a list, found 5 (line 5); and 2 more',
    );
    const parsed = parseYamlFile(write('ok.yaml', 'count: 3\n'), z.strictObject({ count: z.number().max(5) }));
    expect(parsed).toEqual({ count: 3 });
  });
});
