import { describe, expect, it, vi } from 'vitest';
import { SettingsError, namesOwnStorage, readSettings } from '../src/settings.js';
import { azuriteConnectionString } from '../scripts/azurite.js';

const DEV = azuriteConnectionString(10002);

function settingsError(env: Record<string, string>): string {
  try {
    readSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as Error).message;
  }
  throw new Error('expected a SettingsError');
}

describe('readSettings', () => {
  it('reads a connection string and the default table name', () => {
    expect(readSettings({ EmailEventsStorage: DEV })).toEqual({
      storage: { kind: 'connectionString', setting: 'EmailEventsStorage', connectionString: DEV },
      eventsTable: 'EmailEvents',
      quarantineTable: 'EmailEventsQuarantine',
      indexTable: 'EmailEventsIndex',
      retentionDays: 90,
      retentionSchedule: '0 30 2 * * *',
      statisticsSchedule: '0 */15 * * * *',
      redactLinks: true,
      suppression: { suppressOn: ['Bounced'], list: undefined, armEndpoint: 'https://management.azure.com', syncSchedule: '0 * * * * *' },
    });
    expect(readSettings({ EmailEventsStorage: 'UseDevelopmentStorage=true', EmailEventsTable: 'Mail' }).eventsTable).toBe('Mail');
  });

  it('redacts links unless EmailEventsRedactLinks is false, in any case', () => {
    expect(readSettings({ EmailEventsStorage: DEV, EmailEventsRedactLinks: ' ' }).redactLinks).toBe(true);
    expect(readSettings({ EmailEventsStorage: DEV, EmailEventsRedactLinks: 'TRUE' }).redactLinks).toBe(true);
    expect(readSettings({ EmailEventsStorage: DEV, EmailEventsRedactLinks: 'false' }).redactLinks).toBe(false);
    expect(readSettings({ EmailEventsStorage: DEV, EmailEventsRedactLinks: ' False ' }).redactLinks).toBe(false);
  });

  it('connects with a managed identity through __tableServiceUri and an optional __clientId', () => {
    const clientId = '6f1c0f4e-2b7a-4e59-9a43-0c1d2e3f4a5b';
    expect(
      readSettings({ EmailEventsStorage__tableServiceUri: 'https://acct.table.core.windows.net/', EmailEventsStorage__clientId: clientId }).storage,
    ).toEqual({ kind: 'identity', setting: 'EmailEventsStorage__tableServiceUri', tableServiceUri: 'https://acct.table.core.windows.net', clientId });
  });

  it('falls back to AzureWebJobsStorage, as a connection string or identity-based', () => {
    expect(readSettings({ AzureWebJobsStorage: DEV }).storage).toMatchObject({ setting: 'AzureWebJobsStorage' });
    expect(readSettings({ AzureWebJobsStorage__accountName: 'acct' }).storage).toEqual({
      kind: 'identity',
      setting: 'AzureWebJobsStorage__accountName',
      tableServiceUri: 'https://acct.table.core.windows.net',
      clientId: undefined,
    });
    expect(readSettings({ EmailEventsStorage: DEV, AzureWebJobsStorage: 'UseDevelopmentStorage=true' }).storage).toMatchObject({ setting: 'EmailEventsStorage' });
  });

  it.each([
    [{}, /^Setting EmailEventsStorage is missing/],
    [{ EmailEventsStorage: 'just-a-key' }, /^Setting EmailEventsStorage is not a storage connection string/],
    [{ EmailEventsStorage: 'AccountName=acct' }, /^Setting EmailEventsStorage is not a usable storage connection string/],
    [{ EmailEventsStorage__tableServiceUri: 'acct.table.core.windows.net' }, /^Setting EmailEventsStorage__tableServiceUri is not a URL/],
    [{ EmailEventsStorage__tableServiceUri: 'http://acct.table.core.windows.net' }, /^Setting EmailEventsStorage__tableServiceUri must be an https:\/\/ URL/],
    [{ EmailEventsStorage__tableServiceUri: 'https://a.table.core.windows.net', EmailEventsStorage__clientId: 'me' }, /^Setting EmailEventsStorage__clientId is not a client id/],
    [{ AzureWebJobsStorage__accountName: 'Not_An_Account' }, /^Setting AzureWebJobsStorage__accountName is not a storage account name/],
    [{ EmailEventsStorage__clientId: '6f1c0f4e-2b7a-4e59-9a43-0c1d2e3f4a5b', AzureWebJobsStorage: DEV }, /^Setting EmailEventsStorage__clientId is set, but EmailEventsStorage__tableServiceUri is not/],
    [{ EmailEventsStorage: DEV, EmailEventsTable: 'email-events' }, /^Setting EmailEventsTable is not a valid table name/],
    [{ EmailEventsStorage: DEV, EmailEventsTable: 'T'.repeat(54) }, /^Setting EmailEventsTable is not a valid table name/],
    [{ EmailEventsStorage: DEV, EmailEventsRedactLinks: 'no' }, /^Setting EmailEventsRedactLinks must be true \(the default: links are stored without their query values\) or false/],
    [{ EmailEventsStorage: DEV, EmailEventsRedactLinks: '0' }, /^Setting EmailEventsRedactLinks must be true/],
  ])('rejects %j with one line naming the setting', (env, message) => {
    const text = settingsError(env as Record<string, string>);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it.each([
    ['0 99 99 * * *', 'a bad minute field, "99": 99 is not from 0 to 59.'],
    ['0 0 0 * * 9', 'a bad day of week field, "9": 9 is not from 0 to 6 or SUN to SAT (Sunday is 0).'],
    ['0 0 0 * Foo *', 'a bad month field, "Foo": Foo is not from 1 to 12 or JAN to DEC.'],
    ['*/0 * * * * *', 'a bad second field, "*/0": the step 0 is not from 1 to 60.'],
    ['0 0 0 0 * *', 'a bad day field, "0": 0 is not from 1 to 31.'],
    ['0 0 0 * 13 *', 'a bad month field, "13": 13 is not from 1 to 12 or JAN to DEC.'],
    // Azure's NCrontab refuses 7; croner would take it for Sunday.
    ['0 0 0 * * 7', 'a bad day of week field, "7": 7 is not from 0 to 6 or SUN to SAT (Sunday is 0).'],
    // Azure reads whole names, croner does not.
    ['0 0 0 * * Monday', 'a bad day of week field, "Monday": Monday is not from 0 to 6 or SUN to SAT (Sunday is 0).'],
    // Azure reads these as 5-59/15 and 1-5; croner refuses both.
    ['5/15 * * * * *', 'a bad second field, "5/15": a step goes after * or a range (5-59/15), not after a value.'],
    ['0 0 0 5-1 * *', 'a bad day field, "5-1": the range 5-1 goes down.'],
    ['0 0 */25 * * *', 'a bad hour field, "*/25": the step 25 is not from 1 to 24.'],
    ['0 0 0 ? * *', 'a bad day field, "?": use *, a value, a range (1-5), a list (1,15) or a step (*/10, 0-30/10).'],
    ['0 0 0 1,,15 * *', 'a bad day field, "1,,15": use *, a value, a range (1-5), a list (1,15) or a step (*/10, 0-30/10).'],
    ['0\t30 2 * * * *', 'a bad second field, "0\\t30": use *, a value, a range (1-5), a list (1,15) or a step (*/10, 0-30/10).'],
  ])('rejects the retention schedule %j in one line naming the field', (schedule, problem) => {
    expect(settingsError({ EmailEventsStorage: DEV, EmailEventsRetentionSchedule: schedule })).toBe(`Setting EmailEventsRetentionSchedule has ${problem}`);
  });

  it.each(['0 */5 * * * MON-FRI', '0 0 9-17/2 1,15 * *', '00 05 * * * *', '0 0 0 * jan-mar/2 sun,Sat', '59 59 23 31 12 6', ' 0  30 2 * * * '])(
    'accepts the retention schedule %j',
    (schedule) => {
      expect(readSettings({ EmailEventsStorage: DEV, EmailEventsRetentionSchedule: schedule }).retentionSchedule).toBe(schedule.trim());
    },
  );

  it('rejects a retention schedule without six fields', () => {
    expect(settingsError({ EmailEventsStorage: DEV, EmailEventsRetentionSchedule: '30 2 * * *' })).toMatch(/^Setting EmailEventsRetentionSchedule is not an NCRONTAB schedule: six fields/);
  });

  it('reads the statistics roll-up schedule, every 15 minutes by default, and names its setting when it is bad', () => {
    expect(readSettings({ EmailEventsStorage: DEV, EmailEventsStatisticsSchedule: '0 5 * * * *' }).statisticsSchedule).toBe('0 5 * * * *');
    expect(settingsError({ EmailEventsStorage: DEV, EmailEventsStatisticsSchedule: '*/15 * * * *' })).toMatch(
      /^Setting EmailEventsStatisticsSchedule is not an NCRONTAB schedule: six fields, seconds first, such as "0 \*\/15 \* \* \* \*" \(every 15 minutes\)\.$/,
    );
    expect(settingsError({ EmailEventsStorage: DEV, EmailEventsStatisticsSchedule: '0 61 * * * *' })).toMatch(/^Setting EmailEventsStatisticsSchedule has a bad minute field/);
  });

  it('never echoes a connection string, which may hold a key', () => {
    const secret = 'DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0;';
    expect(settingsError({ EmailEventsStorage: secret })).not.toContain('c2VjcmV0');
  });
});

describe('namesOwnStorage', () => {
  it("is true for the app's own account, false for none or Azurite's development storage", () => {
    expect(namesOwnStorage({ EmailEventsStorage: DEV })).toBe(true);
    expect(namesOwnStorage({ EmailEventsStorage__tableServiceUri: 'https://a.table.core.windows.net' })).toBe(true);
    expect(namesOwnStorage({ EmailEventsStorage: 'UseDevelopmentStorage=true' })).toBe(false);
    expect(namesOwnStorage({ EmailEventsStorage: ' ', AzureWebJobsStorage: DEV })).toBe(false);
    expect(namesOwnStorage({})).toBe(false);
  });
});

describe('start-up', () => {
  it.each([
    ['EmailEventsTable', 'no spaces allowed', /^Setting EmailEventsTable is not a valid table name/],
    ['EmailEventsRedactLinks', 'yes please', /^Setting EmailEventsRedactLinks must be true/],
    ['EmailEventsRetentionSchedule', '0 0 0 * 13 *', /^Setting EmailEventsRetentionSchedule has a bad month field/],
  ])('stops with the settings error when the app entry point is loaded with a bad %s', async (setting, value, message) => {
    vi.resetModules();
    vi.stubEnv(setting, value);
    try {
      await expect(import('../src/index.js')).rejects.toThrow(message);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
