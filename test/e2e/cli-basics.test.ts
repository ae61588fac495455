import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, collect, runCli } from '../helpers/cli.js';
import { TMUX_MISSING, TmuxConsole } from '../helpers/tmux.js';

let home: string;
/** No user config, no LLM and the shipped scenarios, whatever this machine's environment says. */
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'firedrill-cli-basics-'));
  env = {
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
    FIREDRILL_DATA_DIR: '',
    FIREDRILL_LLM_URL: '',
    OPENAI_BASE_URL: '',
    FIREDRILL_SCENARIOS_DIR: '',
  };
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs firedrill with the read end of its stdout closed before it writes anything, as `| head` does at its end. */
async function withClosedStdout(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  return collect(child, 30_000);
}

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

describe('a closed or full stdout', () => {
  it.each([['scenarios'], ['history'], ['--help'], ['help', 'run']])('firedrill %s into a closed pipe ends quietly with 141', async (...args) => {
    const result = await withClosedStdout([...args, ...(args[0] === 'history' ? ['--data-dir', path.join(home, 'pipe-data')] : [])]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(141);
  });

  it('firedrill history > /dev/full says so in one line and exits 1', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [CLI, 'history', '--data-dir', path.join(home, 'full-data')], {
        env: { ...process.env, ...env },
        stdio: ['ignore', full, 'pipe'],
      });
      const result = await collect(child, 30_000);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe('firedrill history: cannot write to stdout: ENOSPC: no space left on device, write');
    } finally {
      closeSync(full);
    }
  });
});

describe('flags are checked before any work starts', () => {
  it.each([
    [['history', '--limit', '1e308'], 'firedrill history: --limit must be at most 100000, got "1e308"'],
    [['run', '--junit', ''], 'firedrill run: --junit needs a value, got an empty string'],
    [['run', '--junit', '.'], 'firedrill run: --junit: '],
    [['run', '--data-dir', ''], 'firedrill run: --data-dir needs a value, got an empty string'],
    [['serve', '--host', ''], 'firedrill serve: --host needs a value, got an empty string'],
    [['incident', 'memory_leak_gradual', '--speed', '1e-9'], 'firedrill incident: --speed must be at least 0.1, got "1e-9"'],
    [['serve', '--max-simulations', '1e20'], 'firedrill serve: --max-simulations must be at most 10000'],
    [['failures', '--machine', ''], 'firedrill failures: --machine needs a value'],
    [['run', '--duration', '1e308'], 'firedrill run: --duration must be at most 86400'],
  ])('firedrill %j exits 2 naming the flag', async (args, message) => {
    const result = await runCli(args, { env, cwd: home });
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  it.each(['run', 'cleanup', 'scenarios', 'incident', 'serve', 'history', 'failures', 'compare', 'sync'])(
    'firedrill %s refuses a data dir that is a regular file, or lies below one',
    async (command) => {
      const file = path.join(home, 'not-a-dir');
      writeFileSync(file, 'firedrill must not write here\n');
      const args = command === 'incident' ? [command, 'memory_leak_gradual'] : [command];
      const direct = await runCli([...args, '--data-dir', file], { env });
      expect(direct.stderr.trim()).toBe(`firedrill ${command}: --data-dir: ${file} is a file, not a directory`);
      expect(direct.code).toBe(2);
      const below = await runCli(args, { env: { ...env, FIREDRILL_DATA_DIR: path.join(file, 'data') } });
      expect(below.stderr.trim()).toBe(`firedrill ${command}: FIREDRILL_DATA_DIR: ${path.join(file, 'data')} cannot be a directory: ${file} is a file`);
      expect(below.code).toBe(2);
    },
  );

  it("puts parseArgs' ambiguous-argument message on one line", async () => {
    const result = await runCli(['run', '--junit', '-x'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^firedrill run: Option '--junit' argument is ambiguous\. Did you forget/)]);
  });

  it('prefixes every usage message with the command, also those from deeper down', async () => {
    const result = await runCli(['run', '--only', 'nope', '--prometheus', 'ftp://x'], { env });
    expect(result.stderr.trim()).toMatch(/^firedrill run: /);
    const monitoring = await runCli(['run', '--only', 'cpu_spike', '--prometheus', 'ftp://example.com'], { env: { ...env, FIREDRILL_DATA_DIR: path.join(home, 'data-p') } });
    expect(monitoring.stderr.trim()).toMatch(/^firedrill run: --prometheus: expected an http\(s\) URL/);
    expect(monitoring.code).toBe(2);
  });
});

describe('help and the common flags', () => {
  it('firedrill help run prints the help of run', async () => {
    const result = await runCli(['help', 'run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: firedrill run /);
    const unknown = await runCli(['help', 'fly']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('firedrill help: unknown command "fly"');
  });

  it('scenarios takes --config and --data-dir like every command, and checks a named config', async () => {
    const config = path.join(home, 'scenarios-config.yaml');
    writeFileSync(config, 'monitor:\n  interval_seconds: 1\n');
    const result = await runCli(['scenarios', '--config', config, '--data-dir', path.join(home, 'scenarios-data'), '--json'], { env });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as unknown[]).length).toBeGreaterThan(0);
    const missing = await runCli(['scenarios', '--config', path.join(home, 'absent.yaml')], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`firedrill scenarios: ${path.join(home, 'absent.yaml')}`);
  });
});

/** A scenarios folder whose scenario carries escape sequences and control characters, and a file name with ESC and a newline. */
function writeHostileScenarios(): string {
  const dir = path.join(home, 'hostile-scenarios');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'hostile.yaml'),
    [
      'id: hostile_scenario',
      'name: "Evil\\e[2J\\e]0;pwned\\a name"',
      'description: "A description that rings\\a the bell and\\e[31m paints"',
      'service: "svc\\a-api"',
      'difficulty: beginner',
      'tags: [resource]',
      'duration_seconds: 60',
      'metrics:',
      '  - { name: "cpu_usage_percent", value: 97, baseline: 30, deviation_sigma: 6, pattern: linear, unit: "%" }',
      'context: { recent_alerts: [{ source: "pager\\e[1A", minutes_ago: 2, message: "CPU high\\u009b2J" }] }',
      'expected_root_cause: cpu_saturation',
      'expected_action_types: [scale_out]',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'bad\u001b[2J\nname.yaml'), 'id: [not, a, string]\n');
  return dir;
}

describe('a config file that cannot be read', () => {
  // Each command that reads the config: one line naming the file and where, exit 2, nothing done.
  // (demo printed a stack trace and exited 1 before the config error was handled in one place.)
  it('is one line and exit 2 from every command that reads it, never a stack trace', async () => {
    const file = path.join(home, 'broken.yaml');
    writeFileSync(file, 'drills: [1\n');
    const commands = [
      ['run', '--only', 'cpu_spike'],
      ['incident', 'memory_leak_gradual'],
      ['scenarios'],
      ['history'],
      ['train', '--report'],
      ['experiment', 'run', 'canary-kill-mttr'],
      ['gameday', '--duration', '1s'],
      ['demo', 'lightning-tour', '--check'],
      ['workload', '--duration', '1'],
    ];
    const results = await Promise.all(commands.map((args) => runCli([...args, '--config', file, '--data-dir', path.join(home, 'broken-config-data')], { env })));
    for (const [index, { code, stdout, stderr }] of results.entries()) {
      const name = commands[index]![0]!;
      expect(code, `${name}: ${stderr}`).toBe(2);
      expect(stderr, name).toBe(`firedrill ${name}: ${file}: not valid YAML at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]\n`);
      expect(stdout, name).toBe('');
    }
  });
});

describe('text from files reaches the terminal without escape sequences', () => {
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  it('in the scenarios table, the incident text and the warnings', async () => {
    const dir = writeHostileScenarios();
    const scenarioEnv = { ...env, FIREDRILL_SCENARIOS_DIR: dir };

    const table = await runCli(['scenarios'], { env: scenarioEnv });
    expect(table.stdout).toContain('Evil name');
    expect(table.stdout).toContain('svc-api');
    expect(table.stdout).not.toMatch(CONTROL);
    expect(table.stderr).toContain('warning: scenario skipped');
    expect(table.stderr).not.toMatch(CONTROL);

    const incident = await runCli(['incident', 'hostile_scenario', '--speed', '1000'], { env: scenarioEnv });
    expect(incident.code).toBe(0);
    expect(incident.stdout).toContain('Evil name (hostile_scenario)');
    expect(incident.stdout).not.toMatch(CONTROL);
    expect(incident.stderr).not.toMatch(CONTROL);

    // JSON keeps the data, escaped: a program reading it gets the same strings back.
    const json = await runCli(['scenarios', '--json'], { env: scenarioEnv });
    expect(json.stdout).not.toMatch(CONTROL);
    const listed = JSON.parse(json.stdout) as Array<{ id: string; name: string }>;
    expect(listed.find((item) => item.id === 'hostile_scenario')?.name).toBe('Evil\u001b[2J\u001b]0;pwned\u0007 name');
  });

  it.skipIf(TMUX_MISSING !== null)(`in the console: the scenario picker and the incident screen, and the window title stays${TMUX_MISSING ? ` (skipped: ${TMUX_MISSING})` : ''}`, async () => {
    const dir = writeHostileScenarios();
    const term = new TmuxConsole(`${process.execPath} ${CLI} --data-dir ${path.join(home, 'console-data')}`, {
      ...(env as Record<string, string>),
      FIREDRILL_SCENARIOS_DIR: dir,
    });
    try {
      await term.waitFor('Incident scenarios');
      await term.keys('Down', 'Enter');
      await term.waitFor('Evil name');
      await term.keys('Enter');
      await term.waitFor((screen) => screen.includes('Evil name') && screen.includes('svc-api') && /hypothes/i.test(screen), 30_000);
      const title = execFileSync('tmux', ['-L', term.socket, 'display-message', '-p', '-t', term.session, '#{pane_title}'], { encoding: 'utf8' });
      expect(title).not.toContain('pwned');
    } finally {
      term.close();
    }
  });
});
