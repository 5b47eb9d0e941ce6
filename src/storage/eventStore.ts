/**
 * The storage shell: appends events and quarantine records, and reads a message's partition.
 *
 * The Azure SDK modules are imported on first use, not at start-up: the Functions host loads the
 * entry point before any event arrives, and @azure/identity is needed only with a managed identity.
 */
import type { TableClient, TableServiceClientOptions } from '@azure/data-tables';
import type { EmailEvent } from '../events/emailEvent.js';
import { errorFacts } from '../errors.js';
import { appSettings, type Settings, type StorageConnection } from '../settings.js';
import { fromEventEntity, toEventEntity, toQuarantineEntity, type EventEntity, type QuarantineRecord } from './tableEntities.js';

export type AppendResult = 'stored' | 'duplicate';

export interface EventStore {
  /** Stores one event with one storage request; a redelivered event is a 'duplicate' and changes nothing. */
  append(event: EmailEvent): Promise<AppendResult>;
  /** Keeps an event that can never be stored as an email event, whole, with the reason. */
  quarantine(record: QuarantineRecord): Promise<AppendResult>;
  /** Every stored event of one message, in no particular order (Cosmos DB for Table does not sort). */
  messageEvents(messageId: string): Promise<EmailEvent[]>;
}

export interface EventStoreOptions {
  /** Passed to every TableClient: tests add pipeline policies here, for example to count requests. */
  clientOptions?: TableServiceClientOptions;
}

let tablesSdk: Promise<typeof import('@azure/data-tables')> | undefined;
const loadTablesSdk = () => (tablesSdk ??= import('@azure/data-tables'));

async function createTableClient(connection: StorageConnection, table: string, options: TableServiceClientOptions): Promise<TableClient> {
  const { TableClient } = await loadTablesSdk();
  if (connection.kind === 'connectionString') {
    const insecure = /defaultendpointsprotocol=http;|endpoint=http:|usedevelopmentstorage=true/i.test(connection.connectionString);
    return TableClient.fromConnectionString(connection.connectionString, table, { allowInsecureConnection: insecure, ...options });
  }
  const { DefaultAzureCredential, ManagedIdentityCredential } = await import('@azure/identity');
  const credential = connection.clientId
    ? new ManagedIdentityCredential({ clientId: connection.clientId })
    : new DefaultAzureCredential();
  return new TableClient(`${connection.tableServiceUri}`, table, credential, {
    allowInsecureConnection: connection.tableServiceUri.startsWith('http:'),
    ...options,
  });
}

/** Creates the entity; a conflict means this exact row is already there: a redelivery. */
async function insertOnce(client: TableClient, entity: EventEntity): Promise<AppendResult> {
  try {
    await client.createEntity(entity);
    return 'stored';
  } catch (error) {
    const { statusCode, code } = errorFacts(error);
    if (statusCode === 409 && code !== 'TableBeingDeleted') return 'duplicate';
    throw error;
  }
}

/**
 * One table, created on demand: writes go straight to the table, and only a write that finds no table
 * creates it (once per process, however many writes find it missing at the same time) and tries again.
 * So a running app makes exactly one request per write, and a fresh account needs no set-up step.
 */
class LazyTable {
  private client: Promise<TableClient> | undefined;
  private creation: Promise<void> | undefined;

  constructor(
    private readonly connection: StorageConnection,
    private readonly name: string,
    private readonly options: TableServiceClientOptions,
  ) {}

  private tableClient(): Promise<TableClient> {
    this.client ??= createTableClient(this.connection, this.name, this.options).catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  private createTable(client: TableClient): Promise<void> {
    this.creation ??= client.createTable().finally(() => {
      this.creation = undefined;
    });
    return this.creation;
  }

  /** Inserts the entity; when the table is missing, creates it and inserts again. */
  async insert(entity: EventEntity): Promise<AppendResult> {
    const client = await this.tableClient();
    try {
      return await insertOnce(client, entity);
    } catch (error) {
      if (errorFacts(error).statusCode !== 404) throw error;
    }
    await this.createTable(client);
    return insertOnce(client, entity);
  }

  async partition(partitionKey: string): Promise<Record<string, unknown>[]> {
    const [client, { odata }] = await Promise.all([this.tableClient(), loadTablesSdk()]);
    const rows: Record<string, unknown>[] = [];
    try {
      for await (const entity of client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })) {
        rows.push(entity);
      }
    } catch (error) {
      // No table yet means no event yet.
      if (errorFacts(error).statusCode === 404) return [];
      throw error;
    }
    return rows;
  }
}

export function createEventStore(settings: Settings, options: EventStoreOptions = {}): EventStore {
  const clientOptions = options.clientOptions ?? {};
  const events = new LazyTable(settings.storage, settings.eventsTable, clientOptions);
  const quarantine = new LazyTable(settings.storage, settings.quarantineTable, clientOptions);
  return {
    append: (event) => events.insert(toEventEntity(event)),
    quarantine: (record) => quarantine.insert(toQuarantineEntity(record)),
    messageEvents: async (messageId) => (await events.partition(messageId)).map(fromEventEntity),
  };
}

let defaultStore: EventStore | undefined;

/**
 * The store the functions use, configured from the app settings. The first call checks the settings
 * (and throws a SettingsError naming a bad one); no storage request is made until an event arrives.
 */
export function defaultEventStore(): EventStore {
  defaultStore ??= createEventStore(appSettings());
  return defaultStore;
}
