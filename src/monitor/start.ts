import { diskFillDirectory, type FiredrillConfig } from '../config/config.js';
import { SystemSampler } from './sampler.js';

/** The built-in monitor for this config, already sampling (its first CPU reading takes half a second). */
export function startSampler(config: FiredrillConfig, onError?: (error: Error) => void): SystemSampler {
  return new SystemSampler({
    diskPath: diskFillDirectory(config.drills),
    intervalMs: config.monitor.interval_seconds * 1000,
    onError,
  }).start();
}

