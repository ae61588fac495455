import { execFileSync } from 'node:child_process';
import type { CpuPattern, MemoryPattern } from './types.js';

/**
 * How one simulated process is made. Measured on this machine (bench/workload-candidates.mjs,
 * README "Workloads"), for 200 idle processes each, under setpriv --pdeathsig:
 *   sleep (exec -a NAME)   0.11 MiB PSS, 3.5 ms to start; but comm stays "sleep" and it can do no pattern
 *   sh loop                0.11 MiB, 1.6 ms; comm settable, but no sub-second clock, no select on stdin
 *   perl, $0 and comm      0.46 MiB, 2.2 ms; names both ways, every pattern, commands on stdin
 *   stress-ng --cpu-load   2.6 MiB and 2 processes each, 75 ms to start; ps shows "stress-ng"
 *   a Node process         ~40 MiB each
 * perl wins: 1,000 of them take about 0.5 GB, each is the very process `ps` lists under its own
 * name (argv via $0, comm via /proc/self/comm), and it does its own CPU duty cycle and really
 * resident memory, so firedrill only starts, watches and signals them. perl-base is Essential on
 * Debian and Ubuntu and needs no module beyond the core (no Time::HiRes: the duty cycle is kept
 * against the kernel's own CPU accounting, times(), which is what /proc reports anyway).
 * Where perl is missing, the sh engine (see SH_AGENT) needs nothing but /bin/sh and sleep.
 */

/** What one agent is told at start (positional arguments, since perl-base has no JSON). */
export interface AgentSpec {
  /** As `ps -o args` shows it. */
  name: string;
  /** As `ps -o comm` / top / btop show it (the kernel keeps 15 bytes). */
  comm: string;
  cpuPattern: CpuPattern;
  /** Percent of one core at the pattern's peak. */
  cpuPercent: number;
  memoryPattern: MemoryPattern;
  /** Resident KiB at the pattern's peak. */
  memoryKib: number;
  /** Seconds until the process ends on its own; 0 = never. */
  lifetimeSeconds: number;
  exitCode: number;
  openFiles: number;
  nice: number;
  /** Seconds over which "growing" patterns reach their peak. */
  rampSeconds: number;
  seed: number;
}

/**
 * The perl agent. Arguments: name comm cpu_pattern cpu_percent mem_pattern mem_kib lifetime
 * exit_code open_files nice ramp seed. Commands on stdin, one per line:
 *   cpu PERCENT SECONDS   hold at least PERCENT of a core for SECONDS (a CPU spike)
 *   leak KIB_PER_S MAX_KIB   grow by KIB_PER_S each second up to MAX_KIB more (a memory leak)
 * End of stdin (firedrill gone) ends the agent, as does the lifetime.
 */
export const PERL_AGENT = String.raw`
use strict; no warnings;
my ($name,$comm,$cpat,$cpct,$mpat,$mkib,$life,$code,$nfd,$nice,$ramp,$seed) = @ARGV;
$0 = $name;
if (open(my $c, '>', '/proc/self/comm')) { print $c $comm; close $c; }
setpriority(0, 0, $nice) if $nice > 0;
srand($seed);
my @fds; for (1 .. $nfd) { open(my $h, '<', '/dev/null') or last; push @fds, $h; }
my $CHUNK = 256; my @mem;
sub hold { my $want = int($_[0] / $CHUNK + 0.5); push @mem, 'x' x ($CHUNK * 1024) while @mem < $want; splice(@mem, $want) if @mem > $want; }
my $start = time; my $phase = int(rand(15)); my $rnd_cpu = $cpct; my $rnd_mem = $mkib;
my ($spike_pct, $spike_slices, $leak_rate, $leak_max, $leaked) = (0, 0, 0, 0, 0);
sub cpu_target { my $e = shift; my $p = $cpct;
  if ($cpat eq 'spiky') { $p = (($e + $phase) % 10) < 2 ? $cpct : $cpct / 10; }
  elsif ($cpat eq 'growing') { $p = $cpct * ($e >= $ramp ? 1 : $e / $ramp); }
  elsif ($cpat eq 'random') { $p = $rnd_cpu; }
  $p = $spike_pct if $spike_slices > 0 && $spike_pct > $p;
  return $p; }
sub mem_target { my $e = shift; my $k = $mkib;
  if ($mpat eq 'spiky') { $k = (($e + $phase) % 15) < 3 ? $mkib : $mkib / 4; }
  elsif ($mpat eq 'growing') { $k = $mkib * (0.1 + 0.9 * ($e >= $ramp ? 1 : $e / $ramp)); }
  elsif ($mpat eq 'random') { $k = $rnd_mem; }
  return $k + $leaked; }
my $buf = ''; my $rin = ''; vec($rin, 0, 1) = 1;
sub command { my $line = shift; my @w = split ' ', $line;
  if ($w[0] eq 'cpu') { $spike_pct = $w[1]; $spike_slices = int($w[2] * 10); }
  elsif ($w[0] eq 'leak') { $leak_rate = $w[1]; $leak_max = $w[2]; } }
sub cpu_used { my @t = times; return $t[0] + $t[1]; }
my $SLICE = 0.1; my $owed = 0; my $last_sec = -1;
while (1) {
  my $e = time - $start;
  exit $code if $life > 0 && $e >= $life;
  if ($e != $last_sec) {
    $last_sec = $e;
    $rnd_cpu = rand($cpct) if $cpat eq 'random';
    $rnd_mem = $mkib * (0.1 + rand(0.9)) if $mpat eq 'random' && $e % 5 == 0;
    $leaked += $leak_rate if $leak_rate > 0 && $leaked < $leak_max;
    $leaked = $leak_max if $leak_rate > 0 && $leaked > $leak_max;
    hold(mem_target($e));
  }
  my $pct = cpu_target($e);
  my $wait;
  if ($pct > 0) {
    $owed += $pct / 100 * $SLICE;
    $owed = $SLICE if $owed > $SLICE;
    my $from = cpu_used(); my $used = 0;
    while ($used < $owed) { for (1 .. 2000) {} $used = cpu_used() - $from; }
    $owed -= $used;
    $wait = $SLICE - $used; $wait = 0 if $wait < 0;
    $spike_slices-- if $spike_slices > 0;
  } else {
    my $dynamic = $mpat ne 'steady' || $leak_rate > 0 || $cpat ne 'steady';
    $wait = $dynamic ? 1 : ($life > 0 ? $life - $e : 3600);
    $wait = 1 if $wait < 1 && $wait != 0;
  }
  my $n = select(my $rout = $rin, undef, undef, $wait);
  if ($n > 0) {
    my $got = sysread(STDIN, $buf, 4096, length $buf);
    exit 0 unless $got;
    while ($buf =~ s/^([^\n]*)\n//) { command($1); }
  }
}
`;

/**
 * The sh engine, for machines without perl: only /bin/sh, sleep, date, head and tr. Names show in comm
 * (ps -e, top); the command line stays "sh". CPU is a duty cycle of busy loops timed once at start
 * (whole percents, 100 ms periods), memory
 * a shell variable of that many bytes (steady at its peak: the shell has no cheap way to free in
 * steps). It takes no commands: the chaos triggers that need one say so.
 * Arguments: as the perl agent's.
 */
export const SH_AGENT = String.raw`
name="$1"; comm="$2"; cpct="$4"; mkib="$6"; life="$7"; code="$8"; nice_by="${'$'}{10}"
printf %s "$comm" > /proc/$$/comm 2>/dev/null
[ "$nice_by" -gt 0 ] 2>/dev/null && renice -n "$nice_by" -p $$ >/dev/null 2>&1
mem=""; [ "$mkib" -gt 0 ] 2>/dev/null && mem=$(head -c "$((mkib * 1024))" /dev/zero | tr '\0' x)
start=$(date +%s)
ends() { [ "$life" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$life" ]; }
if [ "$cpct" -gt 0 ] 2>/dev/null; then
  # Nanoseconds per busy-loop iteration: the quickest of three timings (date +%N where it
  # exists), so that a moment of contention at start does not shrink every later busy period.
  per=0
  for run in 1 2 3; do
    t0=$(date +%s%N); i=0; while [ $i -lt 2000 ]; do i=$((i + 1)); done; t1=$(date +%s%N)
    case "$t0$t1" in *N*) took=3000 ;; *) took=$(( (t1 - t0) / 2000 )) ;; esac
    [ "$per" -eq 0 ] || [ "$took" -lt "$per" ] && per=$took
  done
  [ "$per" -gt 0 ] 2>/dev/null || per=3000
  busy=$((cpct * 1000000 / per)); rest=$((100 - cpct))
  while :; do
    i=0; while [ $i -lt $busy ]; do i=$((i + 1)); done
    [ $rest -gt 0 ] && sleep "0.$(printf %03d $rest)"
    ends && exit "$code"
  done
fi
# Idle: the shell itself waits (an exec would rename it), on stdin, which ends with firedrill;
# a lifetime is counted in one-second sleeps, so that none outlives the shell by more than that.
if [ "$life" -gt 0 ]; then
  while ! ends; do sleep 1; done
  exit "$code"
fi
while read -r line; do :; done
`;

export type AgentEngine = 'perl' | 'sh';

let detected: AgentEngine | null | undefined;

/**
 * perl when it runs here, else sh when it does; null when neither can be used.
 * FIREDRILL_WORKLOAD_ENGINE=sh|perl forces one (tests exercise the fallback with it).
 */
export function detectAgentEngine(env: NodeJS.ProcessEnv = process.env): AgentEngine | null {
  const forced = env.FIREDRILL_WORKLOAD_ENGINE;
  if (forced === 'perl' || forced === 'sh') return forced;
  if (detected !== undefined) return detected;
  detected = null;
  for (const engine of ['perl', 'sh'] as const) {
    try {
      execFileSync(engine, engine === 'perl' ? ['-e', 'exit 0'] : ['-c', 'exit 0'], { stdio: 'ignore', timeout: 5000 });
      detected = engine;
      break;
    } catch {
      // Not installed here: try the next.
    }
  }
  return detected;
}

/** The command and arguments that start one agent (to be run under pdeathsig by spawnChild). */
export function agentCommand(engine: AgentEngine, spec: AgentSpec): { command: string; args: string[] } {
  const args = [
    spec.name,
    spec.comm,
    spec.cpuPattern,
    // The shell counts in whole numbers only.
    String(engine === 'sh' ? Math.ceil(spec.cpuPercent) : spec.cpuPercent),
    spec.memoryPattern,
    String(Math.round(spec.memoryKib)),
    String(spec.lifetimeSeconds),
    String(spec.exitCode),
    String(spec.openFiles),
    String(spec.nice),
    String(spec.rampSeconds),
    String(spec.seed),
  ];
  // '--': a name such as "-bash" must not be read as one of perl's own switches.
  if (engine === 'perl') return { command: 'perl', args: ['-e', PERL_AGENT, '--', ...args] };
  return { command: 'sh', args: ['-c', SH_AGENT, 'sh', ...args] };
}
