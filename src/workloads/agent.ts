import { execFileSync } from 'node:child_process';
import type { CpuPattern, MemoryPattern } from './types.js';

/**
 * How one simulated process is made. Measured here (bench/workload-candidates.mjs, 200 idle
 * processes of each, under pdeathsig; README "Workloads"):
 *   sleep (exec -a NAME)            0.11 MiB PSS,  4 ms to start; comm stays "sleep", no pattern at all
 *   sh loop                         0.11 MiB,      3 ms; comm can be set, but no sub-second clock, no select
 *   perl agent, one spawn each      2.1 MiB,     18 ms (Node forks its whole self for every spawn)
 *   perl launcher, forked agents    0.50 MiB,     2 ms; named both ways, every pattern, commands
 *   stress-ng --cpu-load            5.1 MiB and 2 processes each, 176 ms; ps shows "stress-ng"
 *   a Node process                  ~40 MiB each
 * The perl launcher wins: each agent is the very process `ps` lists under its own name (args via
 * $0, comm via /proc/self/comm), does its own CPU duty cycle and really resident memory, and
 * firedrill only starts, watches and signals them. stress-ng stays the reference for the duty
 * cycle's fidelity (bench/workloads.mjs: 50 % asked, both deliver the same share). perl-base is
 * Essential on Debian and Ubuntu and needs no module beyond it (POSIX; no Time::HiRes: the duty
 * cycle is kept against the kernel's own CPU accounting, times(), which is what /proc reports).
 * Where perl is missing, the sh engine (SH_AGENT) needs nothing but /bin/sh and coreutils.
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
 * The perl launcher and agent, one script. firedrill starts the launcher once per workload (under
 * pdeathsig); it forks one agent per simulated process on request, which is ten times quicker
 * than a spawn from Node (whose whole process would be forked each time) and lighter too: a forked
 * agent shares the compiled script with the launcher (0.65 MiB PSS each, where an exec'd perl
 * takes 0.87).
 *
 * Launcher: argument 1 is the prctl syscall number (0 where unknown). Lines on stdin, fields split
 * by tabs (names can hold no control character):
 *   spawn ID NAME COMM CPU_PATTERN CPU_PERCENT MEM_PATTERN MEM_KIB LIFETIME EXIT_CODE FILES NICE RAMP SEED
 *   send PID TEXT        a command for that agent (below)
 * It answers "started ID PID" and, once an agent has ended and been reaped, "exited PID STATUS"
 * (the wait status). End of stdin ends it; its agents follow: the kernel kills each when the
 * launcher dies (PR_SET_PDEATHSIG), and each agent's command pipe reaches end of file as well.
 *
 * Agent: named at once (args through $0, comm through /proc/self/comm), niced, holding its files;
 * then a loop of 100 ms slices: CPU burnt against the kernel's own CPU accounting (times(), what
 * /proc reports; no Time::HiRes needed), memory held in 256 KiB strings whose pages are written
 * (really resident). Commands on its pipe:
 *   cpu PERCENT SECONDS      hold at least PERCENT of a core for SECONDS (a CPU spike)
 *   leak KIB_PER_S MAX_KIB   grow by KIB_PER_S each second up to MAX_KIB more (a memory leak)
 */
export const PERL_LAUNCHER = String.raw`
use strict; no warnings; use POSIX ();
our ($name,$comm,$cpat,$cpct,$mpat,$mkib,$life,$code,$nfd,$nice,$ramp,$seed);
our (@mem, $phase, $rnd_cpu, $rnd_mem, $spike_pct, $spike_slices, $leak_rate, $leak_max, $leaked);
our $CHUNK = 256;
sub hold { my $want = int($_[0] / $CHUNK + 0.5); push @mem, 'x' x ($CHUNK * 1024) while @mem < $want; splice(@mem, $want) if @mem > $want; }
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
sub command { my @w = split ' ', shift;
  if ($w[0] eq 'cpu') { $spike_pct = $w[1]; $spike_slices = int($w[2] * 10); }
  elsif ($w[0] eq 'leak') { $leak_rate = $w[1]; $leak_max = $w[2]; } }
sub cpu_used { my @t = times; return $t[0] + $t[1]; }
our @fds;
sub become {
  ($name,$comm,$cpat,$cpct,$mpat,$mkib,$life,$code,$nfd,$nice,$ramp,$seed) = @_;
  $0 = $name;
  if (open(my $c, '>', '/proc/self/comm')) { print $c $comm; close $c; }
  setpriority(0, 0, $nice) if $nice > 0;
  srand($seed);
  for (1 .. $nfd) { open(my $h, '<', '/dev/null') or last; push @fds, $h; }
}
sub agent {
  my $start = time; $phase = int(rand(15)); $rnd_cpu = $cpct; $rnd_mem = $mkib;
  ($spike_pct, $spike_slices, $leak_rate, $leak_max, $leaked) = (0, 0, 0, 0, 0);
  my $buf = ''; my $rin = ''; vec($rin, 0, 1) = 1;
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
    }
    my $n = select(my $rout = $rin, undef, undef, $wait);
    if ($n > 0) {
      my $got = sysread(STDIN, $buf, 4096, length $buf);
      exit 0 unless $got;
      while ($buf =~ s/^([^\n]*)\n//) { command($1); }
    }
  }
}
my $prctl = $ARGV[0] || 0;
my $launcher = $$;
$| = 1;
my (%pipes, %naming);
$SIG{CHLD} = sub {};
$SIG{PIPE} = 'IGNORE';
my $buf = '';
# An agent is "started" once it has named itself (a byte on its naming pipe), or has ended before.
sub named { my $pid = shift; my $wait = delete $naming{$pid} or return; close $wait->[1]; print "started $wait->[0] $pid\n"; }
while (1) {
  my $rin = ''; vec($rin, 0, 1) = 1;
  vec($rin, fileno($_->[1]), 1) = 1 for values %naming;
  my $n = select(my $r = $rin, undef, undef, 1);
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) { named($pid); close(delete $pipes{$pid}) if $pipes{$pid}; print "exited $pid $?\n"; }
  next unless $n > 0;
  for my $pid (keys %naming) { named($pid) if vec($r, fileno($naming{$pid}[1]), 1); }
  next unless vec($r, 0, 1);
  my $got = sysread(STDIN, $buf, 65536, length $buf);
  exit 0 unless $got;
  while ($buf =~ s/^([^\n]*)\n//) {
    my @f = split /\t/, $1;
    if ($f[0] eq 'send') { my $to = $pipes{$f[1]}; syswrite($to, "$f[2]\n") if $to; next; }
    next unless $f[0] eq 'spawn';
    pipe(my $agent_in, my $to_agent) or do { print "failed $f[1] $!\n"; next; };
    pipe(my $ready_in, my $ready_out) or do { print "failed $f[1] $!\n"; close $agent_in; close $to_agent; next; };
    my $pid = fork();
    if (!defined $pid) { print "failed $f[1] $!\n"; close $_ for ($agent_in, $to_agent, $ready_in, $ready_out); next; }
    if ($pid == 0) {
      # The agent: the kernel kills it when the launcher dies; it keeps only its own pipe.
      syscall($prctl, 1, 9) if $prctl;
      POSIX::_exit(0) if getppid() != $launcher;
      close $to_agent; close $ready_in; close $_ for values %pipes; close $_->[1] for values %naming;
      POSIX::dup2(fileno($agent_in), 0); close $agent_in;
      open(STDOUT, '>', '/dev/null');
      $SIG{CHLD} = 'DEFAULT';
      become(@f[2 .. 13]);
      syswrite($ready_out, 'r'); close $ready_out;
      $SIG{PIPE} = 'DEFAULT';
      agent();
    }
    close $agent_in; close $ready_out;
    $pipes{$pid} = $to_agent;
    # Not waited for here: the next agents are forked meanwhile, which matters on a busy machine.
    $naming{$pid} = [$f[1], $ready_in];
  }
}
`;

/** PR_SET_PDEATHSIG goes through prctl, whose syscall number differs by architecture. */
const PRCTL_SYSCALL: Partial<Record<NodeJS.Architecture, number>> = { x64: 157, arm64: 167, riscv64: 167, ia32: 172, arm: 172, s390x: 172, ppc64: 171 };

export function prctlSyscallNumber(): number {
  return process.platform === 'linux' ? (PRCTL_SYSCALL[process.arch] ?? 0) : 0;
}

/** The fields of a launcher's spawn line, in order. */
export function agentFields(spec: AgentSpec): string[] {
  return [
    spec.name,
    spec.comm,
    spec.cpuPattern,
    String(spec.cpuPercent),
    spec.memoryPattern,
    String(Math.round(spec.memoryKib)),
    String(spec.lifetimeSeconds),
    String(spec.exitCode),
    String(spec.openFiles),
    String(spec.nice),
    String(spec.rampSeconds),
    String(spec.seed),
  ];
}

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

/** The command and arguments that start one sh agent (run under pdeathsig by spawnChild). */
export function shAgentCommand(spec: AgentSpec): { command: string; args: string[] } {
  // The shell counts in whole numbers only.
  const fields = agentFields({ ...spec, cpuPercent: Math.ceil(spec.cpuPercent) });
  return { command: 'sh', args: ['-c', SH_AGENT, 'sh', ...fields] };
}
