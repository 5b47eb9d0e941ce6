/** The built `npm start` as a child process, for the tests that run it as a user does. */
import { execFileSync, spawn } from 'node:child_process';

/** Builds the app and its scripts into `outDir`: tests build into folders of their own, never into the dist/ a running app uses. */
export function buildInto(outDir: string): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], { stdio: 'inherit' });
}

/**
 * Runs a built start script until it prints `until` or exits. `detached` gives it a process group of
 * its own, as a shell gives each command it runs in a terminal, so that a test can signal the whole group.
 */
export function runStartScript(script: string, env: Record<string, string>, until?: RegExp, { detached = false } = {}) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached });
  let stdout = '';
  let stderr = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (until?.test(stdout)) resolve();
    });
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A child that could not be started at all ends as one that exited without a code, not as an unhandled 'error'.
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}
