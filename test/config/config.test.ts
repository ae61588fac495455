import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig } from '../../src/config/config.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function configError(text: string): string {
  const file = path.join(dir, `config-${(count += 1)}.yaml`);
  writeFileSync(file, text);
  try {
    loadConfig(file, { required: true });
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(file, 'FILE');
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('the config file', () => {
  it('checks every URL as the flags are checked, naming the file and the key', () => {
    expect(configError('detection:\n  prometheus:\n    url: "javascript:alert(1)"\n')).toBe(
      'FILE: detection.prometheus.url: expected an http(s) URL such as http://localhost:9090, found a javascript: URL (line 3)',
    );
    expect(configError('llm:\n  url: "localhost:11434"\n')).toBe(
      'FILE: llm.url: expected an http(s) URL such as http://127.0.0.1:11434/v1, found "localhost:11434", which has no http:// or https:// in front (line 2)',
    );
    expect(configError('api:\n  url: ftp://host\n')).toContain('FILE: api.url: expected an http(s) URL such as http://127.0.0.1:8000, found a ftp: URL');
  });

  it('bounds every number where it enters: no timer overflow, no busy loop', () => {
    expect(configError('drills:\n  duration: 1e308\n')).toBe('FILE: drills.duration: expected a number at most 3600, found 1e+308 (line 2)');
    expect(configError('monitor:\n  interval_seconds: 1e9\n')).toContain('monitor.interval_seconds: expected a number at most 300, found 1000000000');
    expect(configError('monitor:\n  interval_seconds: 1e-9\n')).toContain('monitor.interval_seconds: expected a number at least 0.1, found 1e-9');
    expect(configError('drills:\n  memory_pressure:\n    chunk_mb: 1e12\n')).toContain('drills.memory_pressure.chunk_mb: expected a number at most 4096');
    expect(configError('detection:\n  window_seconds: .inf\n')).toContain('detection.window_seconds: expected a number, found infinity');
    expect(configError(`llm:\n  model: ${'m'.repeat(300)}\n`)).toContain('llm.model: expected at most 256 characters, found "mmm');
  });

  it('says what a wrong-typed value was, not that it is missing', () => {
    expect(configError('drills:\n  duration: "300"\n')).toBe('FILE: drills.duration: expected a number, found "300" (a string) (line 2)');
    expect(configError('monitor: [1, 2]\n')).toBe('FILE: monitor: expected a mapping, found a list of 2 items (line 1)');
    expect(configError('monitr:\n  x: 1\n')).toBe('FILE: monitr: unknown key "monitr" (line 1)');
  });

  it('refuses a FIFO or a device given to --config at once, naming it', () => {
    const fifo = path.join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(() => loadConfig(fifo, { required: true })).toThrow(`${fifo}: not a regular file (it is a named pipe (FIFO))`);
    expect(() => loadConfig('/dev/zero')).toThrow('/dev/zero: not a regular file (it is a character device)');
    expect(loadConfig(path.join(dir, 'absent.yaml'))).toEqual(defaultConfig());
  });

  it('an empty file means the defaults', () => {
    const empty = path.join(dir, 'empty.yaml');
    writeFileSync(empty, '# nothing yet\n');
    expect(loadConfig(empty, { required: true })).toEqual(defaultConfig());
  });

  it('firedrill history --config FIFO exits 2 naming the file instead of hanging', async () => {
    const fifo = path.join(dir, 'cli-fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const result = await runCli(['history', '--config', fifo, '--data-dir', path.join(dir, 'data')], { env: { XDG_CONFIG_HOME: dir } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${fifo}: not a regular file`);
  });
});
