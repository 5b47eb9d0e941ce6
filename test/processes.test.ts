/** The tests' own signals: stopping a child that has already stopped is no error (it was one: `kill ESRCH` from a timer failed `npm test`). */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isRunning, signalGroup, signalUnlessGone } from './processes.js';

/** A process leading a group of its own, as npm start does under a terminal, that waits until it is signalled. */
const groupLeader = () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });

describe('signals to children that may have exited', () => {
  it('signal a group that is there, and say so', async () => {
    const child = groupLeader();
    await once(child, 'spawn');
    expect(signalGroup(child, 'SIGTERM')).toBe(true);
    await once(child, 'exit');
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('are no error once the group has exited, where a bare process.kill throws ESRCH', async () => {
    const child = groupLeader();
    await once(child, 'spawn');
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isRunning(child)).toBe(false);
    // What the "Ctrl-C twice" stop did 50 ms after the first Ctrl-C, from a timer: an uncaught exception.
    expect(() => process.kill(-child.pid!, 'SIGINT')).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(signalUnlessGone(-child.pid!, 'SIGINT')).toBe(false);
    expect(signalGroup(child, 'SIGINT')).toBe(false);
  });

  it('still throw what is not a gone process', () => {
    expect(() => signalUnlessGone(process.pid, 'NOT-A-SIGNAL' as NodeJS.Signals)).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_SIGNAL' }));
  });
});
