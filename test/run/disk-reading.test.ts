import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDisk } from '../../src/drills/proc.js';
import { readSystemSample } from '../../src/monitor/sampler.js';

describe('one statfs reader for the drills and the sampler', () => {
  it('reads what df reads, and the sampler reads the same for a directory that does not exist yet', async () => {
    const missing = path.join(os.tmpdir(), `firedrill-not-there-${process.pid}`, 'deeper');
    const [parent, sample] = await Promise.all([readDisk(os.tmpdir()), readSystemSample(missing)()]);
    await expect(readDisk(missing)).rejects.toThrow(/ENOENT/);
    // Same filesystem, read a moment apart: equal but for what others wrote meanwhile (16 MiB).
    expect(Math.abs(sample.diskUsedBytes - parent.usedBytes)).toBeLessThan(16 * 1024 * 1024);
    expect(sample.diskTotalBytes).toBe(parent.totalBytes);
    const [size, used] = execFileSync('df', ['-B1', '--output=size,used', os.tmpdir()], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    expect(parent.totalBytes).toBe(size);
    expect(Math.abs(parent.usedBytes - used!)).toBeLessThan(16 * 1024 * 1024);
  });
});
