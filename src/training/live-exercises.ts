/**
 * The live exercises on offer (src/training/live.ts runs them): what fault, which resource it
 * strains, and what the debrief says to look at. Light on purpose: the ladder lists them without
 * loading the fault machinery.
 */
import type { LiveFaultSpec } from '../live/spec.js';

export type LiveResource = 'cpu' | 'memory' | 'disk' | 'service';

export interface LiveExerciseDefinition {
  id: string;
  title: string;
  resource: LiveResource;
  /** The fault, with a plausible name picked by the attempt's random source. */
  fault(random: () => number): LiveFaultSpec;
  explanation: string;
}

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;

export const LIVE_EXERCISES: readonly LiveExerciseDefinition[] = [
  {
    id: 'live_runaway_cpu',
    title: 'Live: a runaway process',
    resource: 'cpu',
    fault: (random) => ({ fault: 'runaway_cpu', process_name: pick(['report-builder', 'image-resizer', 'pdf-renderer', 'search-indexer'], random), threads: 1 }),
    explanation:
      'CPU rose at once while memory and disk stayed flat; the process table sorted by CPU shows one process at a full core that was idle or absent in the baseline. Stopping it brings CPU back at once; on a real service, find why it spins (a loop, a retry storm) before starting it again.',
  },
  {
    id: 'live_memory_leak',
    title: 'Live: a process leaking memory',
    resource: 'memory',
    fault: (random) => ({ fault: 'memory_leak', process_name: pick(['session-cache', 'feed-aggregator', 'thumbnailer'], random), rate_mb_per_second: 32, limit_mb: 512 }),
    explanation:
      'Memory in use climbed in a straight line while CPU barely moved; in the process table the resident memory (RSS) of one process grows at every reading. Stopping it gives the memory back; restarting a leaking service buys time, the fix is the leak.',
  },
  {
    id: 'live_disk_filling',
    title: 'Live: a file filling the disk',
    resource: 'disk',
    fault: () => ({ fault: 'disk_filling', rate_mb_per_second: 64, size_mb: 1024 }),
    explanation:
      'Free space on one filesystem fell steadily while CPU and memory stayed put: something writes. The newest large file in that directory grows at every look. Deleting it frees the space only once no process holds it open (firedrill closes it); on a real host, lsof +L1 shows deleted files still held.',
  },
  {
    id: 'live_service_down',
    title: 'Live: a service down',
    resource: 'service',
    fault: (random) => ({ fault: 'service_down', process_name: pick(['checkout-api', 'orders-api', 'pricing-api'], random) }),
    explanation:
      'The machine looked healthy (CPU, memory and disk flat) but a health check started failing: the service process is gone from the process table. Restarting it and seeing the health check pass again is the mitigation; its logs say why it stopped.',
  },
];
