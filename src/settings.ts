/**
 * App settings (environment variables), read and checked in one place. A bad or missing setting is a
 * SettingsError whose message is one line naming the setting; values that may hold secrets are never
 * put into messages.
 */
import { KNOWN_DELIVERY_STATUSES, knownDeliveryStatus } from './events/emailEvent.js';
import { parseSuppressionListId, type SuppressionListId } from './suppression/listId.js';

export type StorageConnection =
  | { kind: 'connectionString'; setting: string; connectionString: string }
  | { kind: 'identity'; setting: string; tableServiceUri: string; clientId: string | undefined };

export interface Settings {
  storage: StorageConnection;
  eventsTable: string;
  /** Events that can never be stored as email events; named after the events table. */
  quarantineTable: string;
  /** The lookup indexes (by address, by Internet Message-ID) and the expiry index; named after the events table. */
  indexTable: string;
  /** Days a message is kept after its newest event; 0 keeps everything. */
  retentionDays: number;
  /** When applyRetention runs: an NCRONTAB expression with seconds, as Azure Functions timers take it. */
  retentionSchedule: string;
  /** When rollUpStatistics runs: an NCRONTAB expression with seconds. */
  statisticsSchedule: string;
  /** Whether clicked links are stored with their query values redacted (src/events/redactLink.ts). */
  redactLinks: boolean;
  /** The suppression list: which delivery statuses suppress an address, and where it is synced. */
  suppression: SuppressionSettings;
}

export interface SuppressionSettings {
  /** Delivery statuses that put an address on the list, in their documented case. */
  suppressOn: string[];
  /** The ACS email domain's suppression list to keep in step, or undefined: no sync. */
  list: SuppressionListId | undefined;
  /** Azure Resource Manager's endpoint (another cloud's, or a stand-in's). */
  armEndpoint: string;
  /** When syncSuppressionList runs: NCRONTAB with seconds. */
  syncSchedule: string;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export const STORAGE_SETTING = 'EmailEventsStorage';
export const TABLE_SETTING = 'EmailEventsTable';
export const FALLBACK_STORAGE_SETTING = 'AzureWebJobsStorage';
export const REDACT_LINKS_SETTING = 'EmailEventsRedactLinks';
export const DEFAULT_EVENTS_TABLE = 'EmailEvents';
export const RETENTION_DAYS_SETTING = 'EmailEventsRetentionDays';
export const RETENTION_SCHEDULE_SETTING = 'EmailEventsRetentionSchedule';
export const DEFAULT_RETENTION_DAYS = 90;
export const SUPPRESS_ON_SETTING = 'EmailEventsSuppressOn';
export const SUPPRESSION_LIST_SETTING = 'EmailEventsSuppressionList';
export const ARM_ENDPOINT_SETTING = 'EmailEventsArmEndpoint';
export const SUPPRESSION_SYNC_SCHEDULE_SETTING = 'EmailEventsSuppressionSyncSchedule';
export const DEFAULT_SUPPRESS_ON = ['Bounced'];
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
/** Every minute: a new entry reaches ACS within about a minute, and an idle run costs 17 queries. */
export const DEFAULT_SUPPRESSION_SYNC_SCHEDULE = '0 * * * * *';
/** Daily at 02:30 UTC, when mail traffic is usually lowest. */
export const DEFAULT_RETENTION_SCHEDULE = '0 30 2 * * *';
export const STATISTICS_SCHEDULE_SETTING = 'EmailEventsStatisticsSchedule';
/** Every 15 minutes: today's statistics are at most that old once the roll-up has counted the day. */
export const DEFAULT_STATISTICS_SCHEDULE = '0 */15 * * * *';
/** A hundred years: beyond it a window means nothing, and dates overflow sooner or later. */
const MAX_RETENTION_DAYS = 36500;
const QUARANTINE_SUFFIX = 'Quarantine';
const INDEX_SUFFIX = 'Index';

type Env = Record<string, string | undefined>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Table names: alphanumeric, starting with a letter, 3–63 characters; the longest suffix (quarantine) must fit too.
const TABLE_NAME = new RegExp(`^[A-Za-z][A-Za-z0-9]{2,${62 - QUARANTINE_SUFFIX.length}}$`);
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

const DEVELOPMENT_STORAGE = /^UseDevelopmentStorage=true;?$/i;

/** Whether a connection setting's value is Azurite's development storage. */
export const isDevelopmentStorage = (value: string | undefined): boolean => value !== undefined && DEVELOPMENT_STORAGE.test(value.trim());

function checkConnectionString(setting: string, connectionString: string): StorageConnection {
  if (isDevelopmentStorage(connectionString)) return { kind: 'connectionString', setting, connectionString };
  const parts = new Map<string, string>();
  for (const pair of connectionString.split(';')) {
    if (!pair.trim()) continue;
    const at = pair.indexOf('=');
    if (at <= 0) throw new SettingsError(`Setting ${setting} is not a storage connection string: expected Name=value pairs separated by ';'.`);
    parts.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  const hasEndpoint = parts.has('tableendpoint') || parts.has('accountname');
  const hasCredential = parts.has('accountkey') || parts.has('sharedaccesssignature');
  if (!hasEndpoint || !hasCredential) {
    throw new SettingsError(
      `Setting ${setting} is not a usable storage connection string: it needs AccountName or TableEndpoint, and AccountKey or SharedAccessSignature.`,
    );
  }
  return { kind: 'connectionString', setting, connectionString };
}

function checkServiceUri(setting: string, uri: string, clientIdSetting: string, clientId: string | undefined): StorageConnection {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new SettingsError(`Setting ${setting} is not a URL (expected https://<account>.table.core.windows.net).`);
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    throw new SettingsError(`Setting ${setting} must be an https:// URL (expected https://<account>.table.core.windows.net).`);
  }
  if (clientId !== undefined && !GUID.test(clientId)) {
    throw new SettingsError(`Setting ${clientIdSetting} is not a client id (a GUID).`);
  }
  return { kind: 'identity', setting, tableServiceUri: uri.replace(/\/+$/, ''), clientId };
}

/**
 * The storage connection configured under `prefix`, as the Functions host reads connections: a
 * connection string in `prefix`, else identity-based settings `prefix__tableServiceUri` or
 * `prefix__accountName`, with an optional `prefix__clientId` for a user-assigned identity.
 */
function connectionUnder(env: Env, prefix: string): StorageConnection | undefined {
  const connectionString = value(env, prefix);
  if (connectionString) return checkConnectionString(prefix, connectionString);
  const clientIdSetting = `${prefix}__clientId`;
  const clientId = value(env, clientIdSetting);
  const serviceUriSetting = `${prefix}__tableServiceUri`;
  const serviceUri = value(env, serviceUriSetting);
  if (serviceUri) return checkServiceUri(serviceUriSetting, serviceUri, clientIdSetting, clientId);
  const accountNameSetting = `${prefix}__accountName`;
  const accountName = value(env, accountNameSetting);
  if (accountName) {
    if (!ACCOUNT_NAME.test(accountName)) throw new SettingsError(`Setting ${accountNameSetting} is not a storage account name (3–24 lowercase letters and digits).`);
    return checkServiceUri(accountNameSetting, `https://${accountName}.table.core.windows.net`, clientIdSetting, clientId);
  }
  if (clientId) throw new SettingsError(`Setting ${clientIdSetting} is set, but ${serviceUriSetting} is not: set the table service URI the identity should reach.`);
  return undefined;
}

/**
 * Whether the settings name the app's own storage account (`EmailEventsStorage` or its `__` settings);
 * Azurite's `UseDevelopmentStorage=true` does not count. `npm start` runs Azurite only when they do not.
 */
export function namesOwnStorage(env: Env): boolean {
  return Object.keys(env).some(
    (name) =>
      value(env, name) !== undefined &&
      (name.startsWith(`${STORAGE_SETTING}__`) || (name === STORAGE_SETTING && !isDevelopmentStorage(env[name]))),
  );
}

/** On unless set to `false`: links can carry sign-in tokens, so keeping them whole is the choice to make. */
function redactLinks(env: Env): boolean {
  const text = value(env, REDACT_LINKS_SETTING)?.toLowerCase();
  if (text === undefined || text === 'true') return true;
  if (text === 'false') return false;
  throw new SettingsError(`Setting ${REDACT_LINKS_SETTING} must be true (the default: links are stored without their query values) or false (links are stored whole).`);
}

export function readSettings(env: Env): Settings {
  const storage = connectionUnder(env, STORAGE_SETTING) ?? connectionUnder(env, FALLBACK_STORAGE_SETTING);
  if (!storage) {
    throw new SettingsError(
      `Setting ${STORAGE_SETTING} is missing: set it to a storage connection string, or set ${STORAGE_SETTING}__tableServiceUri to use a managed identity (${FALLBACK_STORAGE_SETTING}, the fallback, is not set either).`,
    );
  }
  const eventsTable = value(env, TABLE_SETTING) ?? DEFAULT_EVENTS_TABLE;
  if (!TABLE_NAME.test(eventsTable) || eventsTable.toLowerCase() === 'tables') {
    throw new SettingsError(
      `Setting ${TABLE_SETTING} is not a valid table name: use 3–${63 - QUARANTINE_SUFFIX.length} letters and digits, starting with a letter.`,
    );
  }
  return {
    storage,
    eventsTable,
    quarantineTable: `${eventsTable}${QUARANTINE_SUFFIX}`,
    indexTable: `${eventsTable}${INDEX_SUFFIX}`,
    retentionDays: retentionDays(env),
    retentionSchedule: schedule(env, RETENTION_SCHEDULE_SETTING, DEFAULT_RETENTION_SCHEDULE, 'daily at 02:30 UTC'),
    statisticsSchedule: schedule(env, STATISTICS_SCHEDULE_SETTING, DEFAULT_STATISTICS_SCHEDULE, 'every 15 minutes'),
    redactLinks: redactLinks(env),
    suppression: {
      suppressOn: suppressOn(env),
      list: suppressionList(env),
      armEndpoint: armEndpoint(env),
      syncSchedule: schedule(env, SUPPRESSION_SYNC_SCHEDULE_SETTING, DEFAULT_SUPPRESSION_SYNC_SCHEDULE, 'every minute'),
    },
  };
}

/** A comma-separated list of documented delivery statuses, in any case; `none` suppresses on none. */
function suppressOn(env: Env): string[] {
  const text = value(env, SUPPRESS_ON_SETTING);
  if (text === undefined) return DEFAULT_SUPPRESS_ON;
  if (text.toLowerCase() === 'none') return [];
  const statuses = text.split(',').map((item) => knownDeliveryStatus(item.trim()));
  if (statuses.some((status) => status === undefined)) {
    throw new SettingsError(`Setting ${SUPPRESS_ON_SETTING} must be delivery statuses separated by commas (${KNOWN_DELIVERY_STATUSES.join(', ')}), or none.`);
  }
  return [...new Set(statuses as string[])];
}

function suppressionList(env: Env): SuppressionListId | undefined {
  const text = value(env, SUPPRESSION_LIST_SETTING);
  if (text === undefined) return undefined;
  const list = parseSuppressionListId(text);
  if (list === undefined) {
    throw new SettingsError(
      `Setting ${SUPPRESSION_LIST_SETTING} is not a suppression list's resource id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Communication/emailServices/<service>/domains/<domain>/suppressionLists/<list>.`,
    );
  }
  return list;
}

function armEndpoint(env: Env): string {
  const text = value(env, ARM_ENDPOINT_SETTING);
  if (text === undefined) return DEFAULT_ARM_ENDPOINT;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  // The SDK sends its bearer token over TLS only.
  if (url?.protocol !== 'https:' || url.pathname !== '/' || url.search || url.hash) {
    throw new SettingsError(`Setting ${ARM_ENDPOINT_SETTING} must be an https:// origin, such as ${DEFAULT_ARM_ENDPOINT}.`);
  }
  return url.origin;
}

function retentionDays(env: Env): number {
  const text = value(env, RETENTION_DAYS_SETTING);
  if (text === undefined) return DEFAULT_RETENTION_DAYS;
  const days = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(days >= 0 && days <= MAX_RETENTION_DAYS)) {
    throw new SettingsError(`Setting ${RETENTION_DAYS_SETTING} must be a whole number of days from 0 (keep everything) to ${MAX_RETENTION_DAYS}.`);
  }
  return days;
}

/** One field of an NCRONTAB schedule: its name in messages, its values, and the names it takes for them. */
interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Said with a value out of range, for the mistake that is easy to make. */
  hint?: string;
}

/**
 * The six fields of the NCRONTAB that Azure Functions timers take (NCrontab's), seconds first. Only what
 * the Functions host and the local host (croner) read alike is accepted, so a schedule runs the same in
 * both: names of three letters in any case (NCrontab would also take `Monday` or `M`, croner neither),
 * steps after `*` or a range (NCrontab reads `5/15` as `5-59/15`, croner refuses it), ranges that go up
 * (NCrontab turns `5-1` round), steps from 1 to the field's count of values (NCrontab reads `0` as 1).
 */
const CRON_FIELDS: readonly CronField[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // Sunday is 0 only: NCrontab refuses 7, which croner and Vixie cron take for Sunday too.
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], hint: 'Sunday is 0' },
];

/** One item of a field's list: `*`, a range or a value, then a step (`/n`), which a value alone does not take. */
const CRON_ITEM = /^(?:(\*)|([0-9A-Za-z]+)-([0-9A-Za-z]+)|([0-9A-Za-z]+))(?:\/(\d+))?$/;

/** The number a value of `field` stands for (digits, or one of its names in any case), or undefined. */
function cronValue(text: string, field: CronField): number | undefined {
  const value = /^\d+$/.test(text) ? Number(text) : field.min + (field.names?.indexOf(text.toUpperCase()) ?? -1);
  return value >= field.min && value <= field.max ? value : undefined;
}

/** What is wrong with one item of a field's list, in words, or undefined when nothing is. */
function cronItemProblem(item: string, field: CronField): string | undefined {
  const parts = CRON_ITEM.exec(item);
  if (!parts) return 'use *, a value, a range (1-5), a list (1,15) or a step (*/10, 0-30/10)';
  const [, , from, to, single, step] = parts;
  for (const text of [from, to, single]) {
    if (text !== undefined && cronValue(text, field) === undefined) {
      const names = field.names ? ` or ${field.names[0]} to ${field.names.at(-1)}` : '';
      return `${text} is not from ${field.min} to ${field.max}${names}${field.hint ? ` (${field.hint})` : ''}`;
    }
  }
  if (from !== undefined && cronValue(from, field)! > cronValue(to!, field)!) return `the range ${from}-${to} goes down`;
  if (step === undefined) return undefined;
  if (single !== undefined) return `a step goes after * or a range (${single}-${field.max}/${step}), not after a value`;
  const count = field.max - field.min + 1;
  const every = Number(step);
  return every >= 1 && every <= count ? undefined : `the step ${step} is not from 1 to ${count}`;
}

/** A timer's schedule from `setting`, or `fallback` (said as `said` in the message) when it is not set. */
function schedule(env: Env, setting: string, fallback: string, said: string): string {
  const schedule = value(env, setting) ?? fallback;
  // NCrontab splits on spaces only: a tab stays inside a field, and makes it bad.
  const fields = schedule.split(/ +/);
  if (fields.length !== CRON_FIELDS.length) {
    throw new SettingsError(
      `Setting ${setting} is not an NCRONTAB schedule: six fields, seconds first, such as "${fallback}" (${said}).`,
    );
  }
  for (const [i, field] of CRON_FIELDS.entries()) {
    const text = fields[i]!;
    const problem = text.split(',').map((item) => cronItemProblem(item, field)).find((found) => found !== undefined);
    // JSON quotes the field, and escapes what would break the line.
    if (problem) throw new SettingsError(`Setting ${setting} has a bad ${field.name} field, ${JSON.stringify(text)}: ${problem}.`);
  }
  return schedule;
}

let settings: Settings | undefined;

/** The app's settings, read from the environment once and checked (a SettingsError names a bad one). */
export function appSettings(): Settings {
  settings ??= readSettings(process.env);
  return settings;
}
