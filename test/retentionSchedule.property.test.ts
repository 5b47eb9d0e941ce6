/**
 * EmailEventsRetentionSchedule against a model of NCRONTAB written from Azure's documentation: what the
 * settings accept, the local host can run; what they refuse, they refuse in one line naming the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLocalHost } from '../scripts/localHost.js';
import { RETENTION_SCHEDULE_SETTING, SettingsError, readSettings } from '../src/settings.js';

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const readSchedule = (schedule: string) => readSettings({ EmailEventsStorage: 'UseDevelopmentStorage=true', [RETENTION_SCHEDULE_SETTING]: schedule });

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

/** A value as a schedule may write it: digits (with a leading zero now and then), or its name in any case. */
const written = (field: Field, value: number): fc.Arbitrary<string> => {
  const name = field.names?.[value - field.min];
  const forms = [String(value), `0${value}`, ...(name ? [name, name.toLowerCase(), name[0] + name.slice(1).toLowerCase()] : [])];
  return fc.constantFrom(...forms);
};

const value = (field: Field) => fc.integer({ min: field.min, max: field.max });
const count = (field: Field) => field.max - field.min + 1;
const upRange = (field: Field) =>
  fc
    .tuple(value(field), value(field))
    .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
    .chain(([from, to]) => fc.tuple(written(field, from), written(field, to)).map(([a, b]) => `${a}-${b}`));

const goodItem = (field: Field): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant('*'),
    value(field).chain((n) => written(field, n)),
    upRange(field),
    fc.tuple(fc.oneof(fc.constant('*'), upRange(field)), fc.integer({ min: 1, max: count(field) })).map(([base, step]) => `${base}/${step}`),
  );

const goodField = (field: Field) => fc.array(goodItem(field), { minLength: 1, maxLength: 3 }).map((items) => items.join(','));
const goodFields = fc.tuple(...FIELDS.map(goodField));

/** Items NCRONTAB refuses, or that Azure and croner would read differently. */
const badItem = (field: Field): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: field.max + 1, max: 999 }).map(String),
    fc.integer({ min: -9, max: field.min - 1 }).map(String),
    fc.integer({ min: field.min, max: field.max - 1 }).chain((low) => fc.integer({ min: low + 1, max: field.max }).map((high) => `${high}-${low}`)),
    fc.constantFrom('*/0', `*/${count(field) + 1}`, `${field.min}-${field.max}/0`),
    value(field).map((n) => `${n}/5`),
    fc.constantFrom('?', 'L', '5L', '1#2', '15W', ',', 'Foo', 'Monday', 'January', 'M', '**', '*/', '1-', '7-'),
  );

describe('EmailEventsRetentionSchedule', () => {
  it('accepts every schedule of the documented forms, and the local host runs each', () => {
    fc.assert(
      fc.property(goodFields, (fields) => {
        const schedule = fields.join(' ');
        expect(readSchedule(schedule).retentionSchedule).toBe(schedule);
        expect(() => localHostReads(schedule)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a bad item anywhere in any field, in one line naming the setting and the field', () => {
    const withOneBadField = goodFields.chain((fields) =>
      fc.integer({ min: 0, max: FIELDS.length - 1 }).chain((at) =>
        fc
          .tuple(fc.array(goodItem(FIELDS[at]!), { maxLength: 2 }), badItem(FIELDS[at]!), fc.nat())
          .map(([items, bad, position]) => {
            const cut = position % (items.length + 1);
            const badField = [...items.slice(0, cut), bad, ...items.slice(cut)].join(',');
            return { fields: fields.map((field, i) => (i === at ? badField : field)), at };
          }),
      ),
    );
    fc.assert(
      fc.property(withOneBadField, ({ fields, at }) => {
        const message = settingsErrorOf(() => readSchedule(fields.join(' '))) ?? '';
        expect(message.startsWith(`Setting ${RETENTION_SCHEDULE_SETTING} has a bad ${FIELDS[at]!.name} field, ${JSON.stringify(fields[at])}: `)).toBe(true);
        expect(message).not.toContain('\n');
      }),
      { numRuns: 1000 },
    );
  });

  it('lets through nothing the local host cannot run, whatever the fields hold', () => {
    // Cron-shaped pieces in any order: near misses ("0/5", "13-1", "*/99", "7") more than noise.
    const piece = fc.constantFrom('*', '/', '-', ',', '0', '1', '5', '7', '9', '12', '13', '24', '31', '32', '60', '99', 'jan', 'DEC', 'Sun', 'SAT', 'L', '?', '#', '\t');
    const junk = fc.array(piece, { minLength: 1, maxLength: 5 }).map((pieces) => pieces.join(''));
    // Mostly * around the junk, so that the rest of the schedule rarely hides it.
    const around = fc.tuple(...FIELDS.map((field) => fc.oneof(fc.constant('*'), goodField(field))));
    const withJunk = fc.tuple(around, fc.array(fc.tuple(fc.integer({ min: 0, max: FIELDS.length - 1 }), junk), { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(withJunk, ([good, junkAt]) => {
        const fields = good.map((field, i) => junkAt.find(([at]) => at === i)?.[1] ?? field);
        const schedule = fields.join(' ');
        const message = settingsErrorOf(() => readSchedule(schedule));
        if (message === undefined) expect(() => localHostReads(schedule)).not.toThrow();
        else expect(message).not.toContain('\n');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the local host', () => {
  it('stops in one line naming the setting, never a stack, on a schedule croner cannot read that got past the check', () => {
    expect(settingsErrorOf(() => localHostReads('0 0 0 * * 9'))).toBe(
      'Setting EmailEventsRetentionSchedule is a schedule the local host cannot run (applyRetention): CronPattern: Invalid value for dayOfWeek: 9',
    );
  });
});
