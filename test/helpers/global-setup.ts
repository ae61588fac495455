import { execFileSync } from 'node:child_process';

// Tests that spawn firedrill as a user would run it use the built bundle: build it once per run.
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
