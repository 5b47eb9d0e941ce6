/** EmailEventsRetentionSchedule as the local host reads it: a schedule it cannot run is one line naming the setting. */
import { describe, expect, it } from 'vitest';
import { createLocalHost } from '../scripts/localHost.js';
import { RETENTION_SCHEDULE_SETTING, SettingsError } from '../src/settings.js';

/** The message of the SettingsError that `read` throws, or undefined when it throws none. */
function settingsErrorOf(read: () => unknown): string | undefined {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as Error).message;
  }
  return undefined;
}

/** Builds the local host with one timer on `schedule`: it reads the schedule with croner, as it will run it. */
const localHostReads = (schedule: string) =>
  createLocalHost([{ trigger: 'timer', name: 'applyRetention', options: { schedule, handler: async () => {} }, scheduleSetting: RETENTION_SCHEDULE_SETTING }], () => {});

describe('the local host', () => {
  it('stops in one line naming the setting, never a stack, on a schedule croner cannot read that got past the check', () => {
    expect(settingsErrorOf(() => localHostReads('0 0 0 * * 9'))).toBe(
      'Setting EmailEventsRetentionSchedule is a schedule the local host cannot run (applyRetention): CronPattern: Invalid value for dayOfWeek: 9',
    );
  });
});
