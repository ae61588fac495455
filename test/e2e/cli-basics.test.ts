import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('firedrill without a terminal', () => {
  it('prints its help and exits 2 instead of opening the console', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the console needs a terminal');
    expect(result.stderr).toContain('firedrill run [--duration S]');
    expect(result.stdout).toBe('');
  });

  it('answers --help on stdout with exit 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage:');
  });

  it('names an unknown command and exits 2', async () => {
    const result = await runCli(['fly']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "fly"');
  });

  it('prints no colour codes when NO_COLOR is set', async () => {
    const result = await runCli(['--help'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(result.stdout).not.toMatch(/\u001B\[/);
  });
});
