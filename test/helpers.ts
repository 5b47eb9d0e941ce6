/** Shared test plumbing: settings for the test Azurite, request counting, and an InvocationContext that keeps its logs. */
import { randomUUID } from 'node:crypto';
import { TableClient, odata, type TableServiceClientOptions } from '@azure/data-tables';
import { InvocationContext } from '@azure/functions';
import { inject } from 'vitest';
import { createEventStore } from '../src/storage/eventStore.js';
import { readSettings, type Settings } from '../src/settings.js';

export const connectionString = () => inject('azuriteConnectionString');

/** A table name no other test uses, so that test files never see each other's rows. */
export const isolatedTableName = (): string => `T${randomUUID().replace(/-/g, '').slice(0, 20)}`;

/** Settings for a table of its own. */
export function isolatedSettings(): Settings {
  return readSettings({ EmailEventsStorage: connectionString(), EmailEventsTable: isolatedTableName() });
}

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

export interface RecordedRequest {
  method: string;
  url: string;
}

/** Whether a request writes: a delete, or an entity group transaction. */
export const isDelete = (request: { method: string; url: string }) => request.method === 'DELETE' || request.url.includes('$batch');

/**
 * An event store over these settings' tables whose requests fail with a 503 once `fails` says so, as an
 * outage half-way through a run does. `fails` is asked of every request, in order.
 */
export function failingStore(settings: Settings, fails: (request: { method: string; url: string }) => boolean) {
  const outage: PipelinePolicy = {
    name: 'injectedOutage',
    sendRequest(request, next) {
      if (fails(request)) throw Object.assign(new Error('injected outage'), { statusCode: 503 });
      return next(request);
    },
  };
  return createEventStore(settings, { clientOptions: { additionalPolicies: [{ policy: outage, position: 'perCall' }] } });
}

/** An event store whose every HTTP request (retries included) is recorded. */
export function recordingStore(settings: Settings = isolatedSettings()) {
  const requests: RecordedRequest[] = [];
  const recorder: PipelinePolicy = {
    name: 'recordRequests',
    sendRequest(request, next) {
      requests.push({ method: request.method, url: request.url });
      return next(request);
    },
  };
  const store = createEventStore(settings, { clientOptions: { additionalPolicies: [{ policy: recorder, position: 'perRetry' }] } });
  return { store, requests, settings };
}

export function tableClient(table: string): TableClient {
  return TableClient.fromConnectionString(connectionString(), table, { allowInsecureConnection: true });
}

export async function rowsOf(table: string, partitionKey?: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const filter = partitionKey === undefined ? undefined : odata`PartitionKey eq ${partitionKey}`;
  try {
    for await (const row of tableClient(table).listEntities({ queryOptions: { filter } })) rows.push(row);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return rows;
}

export interface LogLine {
  level: string;
  args: unknown[];
}

export function recordingContext(functionName = 'emailDeliveryReport') {
  const logs: LogLine[] = [];
  const context = new InvocationContext({
    functionName,
    invocationId: randomUUID(),
    logHandler: (level, ...args) => logs.push({ level, args }),
  });
  return { context, logs };
}

/** The raw event JSON of a quarantine row, joined from its chunks. */
export function rawJsonOfQuarantineEntity(entity: Record<string, unknown>): string {
  let json = '';
  for (let chunk = 0; typeof entity[`raw${chunk}`] === 'string'; chunk++) json += entity[`raw${chunk}`] as string;
  return json;
}
