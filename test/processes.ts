/** Signals for the child processes the tests start, where the child may have finished by the time a signal comes. */
import type { ChildProcess } from 'node:child_process';

/**
 * Sends `signal` to `target` (a pid, or minus a process group's id), and says whether anything was
 * there to get it. A process (or every process of a group) that has already exited is not an error
 * here: whoever calls this stops a child that may well have stopped by itself, as it was asked to. Any
 * other failure (EPERM, a bad signal) still throws.
 */
export function signalUnlessGone(target: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Whether Node has yet to see `child` exit: until then its pid (and its process group, if it leads one) is still there. */
export const isRunning = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/** Sends `signal` to the process group that `child` leads (spawned with `detached`), unless the child is gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  return isRunning(child) && child.pid !== undefined && signalUnlessGone(-child.pid, signal);
}
