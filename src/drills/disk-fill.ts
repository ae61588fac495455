import { randomBytes } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { open, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { diskFillDirectory, type DrillsConfig } from '../config/config.js';
import { abortedOutcome, failedOutcome, MiB, round, uniqueSuffix, waitOrAbort } from './common.js';
import { formatBytes, formatDuration } from '../format.js';
import { trackFile, untrackFile } from './emergency.js';
import type { Ledger } from './ledger.js';
import { isLinux, LINUX_ONLY_MESSAGE, readDisk, type DiskReading } from './proc.js';
import type { Drill, DrillContext, DrillOutcome } from './types.js';

/** firedrill never writes to a filesystem at or above this use. */
const REFUSE_AT_PERCENT = 90;
/** ... nor leaves it with less than this share free. */
const MIN_FREE_SHARE = 0.1;
/** Random (not zero) data, so that a compressing filesystem still stores every byte; 1 MiB writes
 * kept pace with dd here where 4 MiB ones did not. */
const BLOCK_BYTES = MiB;
/** Stop writing at once if free space falls under this share while the file grows. */
const EMERGENCY_FREE_SHARE = 0.05;
const TOLERANCE_SHARE = 0.1;
const TOLERANCE_BYTES = 16 * MiB;
const SAMPLE_MS = 500;

const TMPFS_MAGIC = 0x01021994;

function isTmpfs(directory: string): boolean {
  try {
    return statfsSync(directory).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

export function createDiskFill(config: DrillsConfig, ledger: Ledger): Drill {
  const directory = path.resolve(diskFillDirectory(config));
  const fileBytes = Math.floor(config.disk_fill.size_mb * MiB);

  const refusal = async (): Promise<string | null> => {
    if (!isLinux()) return LINUX_ONLY_MESSAGE;
    try {
      if (!(await stat(directory)).isDirectory()) return `drills.disk_fill.directory ${directory} is not a directory`;
    } catch {
      return `drills.disk_fill.directory ${directory} does not exist`;
    }
    const disk = await readDisk(directory);
    if (disk.usedPercent >= REFUSE_AT_PERCENT) {
      return `the filesystem of ${directory} is already ${round(disk.usedPercent)} % full: firedrill does not write to a disk at ${REFUSE_AT_PERCENT} % or more`;
    }
    const capacity = disk.usedBytes + disk.availableBytes;
    const freeAfter = disk.availableBytes - fileBytes;
    if (freeAfter < capacity * MIN_FREE_SHARE) {
      return `writing ${formatBytes(fileBytes)} to ${directory} would leave ${formatBytes(Math.max(0, freeAfter))} free (under 10 % of ${formatBytes(capacity)}): lower drills.disk_fill.size_mb`;
    }
    return null;
  };

  return {
    name: 'disk_fill',
    title: 'Disk fill',
    description: `writes a ${formatBytes(fileBytes)} temporary file in ${directory}, holds it, deletes it`,
    defaultDurationSeconds: 10,
    riskWarning: () =>
      `disk_fill writes ${formatBytes(fileBytes)} to ${directory} (deleted at the end)` +
      (isTmpfs(directory) ? `; ${directory} is a tmpfs, so the file takes memory, not disk` : ''),
    preflight: refusal,
    run: async (context) => {
      const refused = await refusal();
      if (refused) return failedOutcome({ fileBytes: 0, directory }, refused);
      return runDiskFill(context, directory, fileBytes, ledger);
    },
  };
}

/** Throws an ENOSPC error when free space on the filesystem falls under EMERGENCY_FREE_SHARE. */
export function assertSpaceLeft(disk: DiskReading): void {
  if (disk.availableBytes < (disk.usedBytes + disk.availableBytes) * EMERGENCY_FREE_SHARE) {
    // Something else is filling the disk too: stop before the machine runs out.
    throw Object.assign(new Error('low space'), { code: 'ENOSPC' });
  }
}

/**
 * Appends `bytes` of random data to an open file in 1 MiB blocks, calling `afterBlock` with the
 * total written after each block (it may wait, to pace the writing, or throw to stop it).
 * Stops early when the signal aborts; resolves with what was written.
 */
export async function writeFillBlocks(
  handle: FileHandle,
  bytes: number,
  signal: AbortSignal,
  afterBlock: (written: number) => Promise<void> | void = () => undefined,
): Promise<number> {
  const block = randomBytes(BLOCK_BYTES);
  let written = 0;
  while (written < bytes && !signal.aborted) {
    const size = Math.min(BLOCK_BYTES, bytes - written);
    await handle.write(block, 0, size);
    written += size;
    await afterBlock(written);
  }
  return written;
}

async function runDiskFill(context: DrillContext, directory: string, fileBytes: number, ledger: Ledger): Promise<DrillOutcome> {
  const { signal } = context;
  const baseline = await readDisk(directory);
  const file = path.join(directory, `firedrill-disk-fill-${process.pid}-${uniqueSuffix()}.tmp`);
  let written = 0;
  let peak: DiskReading = baseline;
  let afterWrite: DiskReading | null = null;
  let writeMs: number | null = null;
  let diskAfterDelete: DiskReading | null = null;
  const measured = () => ({
    fileBytes: written,
    diskRiseBytes: afterWrite ? afterWrite.usedBytes - baseline.usedBytes : Math.max(0, peak.usedBytes - baseline.usedBytes),
    diskPercentPeak: round(peak.usedPercent),
    directory,
    writeMs,
    diskReleasedBytes: diskAfterDelete && afterWrite ? afterWrite.usedBytes - diskAfterDelete.usedBytes : null,
  });
  const sample = async (): Promise<DiskReading> => {
    const now = await readDisk(directory);
    if (now.usedPercent > peak.usedPercent) peak = now;
    return now;
  };

  // Into the ledger and the emergency list before the file exists, so that no kill leaves it behind.
  await ledger.addFile(file);
  trackFile(file);
  let handle: FileHandle | undefined;
  let created = false;
  let failure: string | null = null;
  try {
    const startedAt = Date.now();
    handle = await open(file, 'wx', 0o600);
    created = true;
    let lastProgress = 0;
    await writeFillBlocks(handle, fileBytes, signal, async (total) => {
      written = total;
      const percent = Math.floor((written / fileBytes) * 10);
      if (percent > lastProgress) {
        lastProgress = percent;
        context.progress(`wrote ${formatBytes(written)} of ${formatBytes(fileBytes)}`);
        assertSpaceLeft(await sample());
      }
    });
    // One fsync at the end, as `dd conv=fsync` does: the blocks are on disk before the drill measures.
    if (!signal.aborted) await handle.sync();
    await handle.close();
    handle = undefined;
    if (signal.aborted) return abortedOutcome(measured(), `${formatBytes(written)} of ${formatBytes(fileBytes)} written`);
    writeMs = Date.now() - startedAt;
    afterWrite = await sample();
    context.progress(`holding ${formatBytes(written)} in ${file} for ${formatDuration(context.durationMs)}`);
    const holdUntil = Date.now() + context.durationMs;
    while (Date.now() < holdUntil && (await waitOrAbort(Math.min(SAMPLE_MS, holdUntil - Date.now()), signal))) await sample();
    if (signal.aborted) return abortedOutcome(measured(), `${formatBytes(written)} written and held`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    failure =
      code === 'ENOSPC'
        ? `free space ran low after ${formatBytes(written)} were written, so firedrill stopped and deleted the file`
        : `could not write ${file}: ${(error as Error).message}`;
  } finally {
    await handle?.close().catch(() => undefined);
    // 'wx' refused to open a file that already existed: that one is not ours to delete.
    if (created) await unlink(file).catch(() => undefined);
    untrackFile(file);
    await ledger.removeFile(file);
  }
  diskAfterDelete = await readDisk(directory);
  context.progress(`deleted ${file}`);

  const result = measured();
  if (failure) return failedOutcome(result, failure);
  const tolerance = Math.max(TOLERANCE_SHARE * written, TOLERANCE_BYTES);
  const success = Math.abs(result.diskRiseBytes - written) <= tolerance;
  return {
    success,
    measured: result,
    summary: success
      ? `disk use rose by ${formatBytes(result.diskRiseBytes)} for a ${formatBytes(written)} file, peak ${result.diskPercentPeak} %`
      : `disk use rose by ${formatBytes(result.diskRiseBytes)} for a ${formatBytes(written)} file (outside the ${formatBytes(tolerance)} tolerance)`,
  };
}
