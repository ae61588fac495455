import { useEffect, useState } from 'react';
import type { SystemSample } from '../../drills/types.js';
import type { SampleFeed } from '../services.js';

/** The last minute of readings, re-rendering once per sample (the sampler runs at most once a second). */
export function useSamples(feed: SampleFeed): SystemSample[] {
  const [samples, setSamples] = useState<SystemSample[]>(() => feed.recent());
  useEffect(() => {
    setSamples(feed.recent());
    return feed.subscribe(() => setSamples(feed.recent()));
  }, [feed]);
  return samples;
}
