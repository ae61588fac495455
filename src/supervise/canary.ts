import { httpHealthy, spawnCanary } from '../drills/services.js';
import type { SupervisedProgram } from './supervisor.js';

/**
 * The canary HTTP service (src/drills/services.ts) as a supervised program: the first instance
 * takes a free loopback port, and every restart listens on that same port again, as a real
 * service behind a supervisor would.
 */
export class CanaryProgram implements SupervisedProgram {
  readonly name: string;
  private port: number;

  constructor(options: { name?: string; port?: number } = {}) {
    this.name = options.name ?? 'the canary';
    this.port = options.port ?? 0;
  }

  async spawn() {
    const { child, listening } = await spawnCanary(this.port);
    return {
      child,
      ready: listening.then((port) => {
        this.port = port;
      }),
    };
  }

  /** 0 until the first instance has listened. */
  boundPort(): number {
    return this.port;
  }

  url(path = '/health'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  healthy(): Promise<boolean> {
    return httpHealthy(this.url());
  }
}
