/**
 * The storage shell: appends events (with their index rows) and quarantine records, and reads a
 * message's partition and the lookup indexes.
 *
 * The Azure SDK modules are imported on first use, not at start-up: the Functions host loads the
 * entry point before any event arrives, and @azure/identity is needed only with a managed identity.
 */
import type { TableClient, TableServiceClientOptions, TransactionAction } from '@azure/data-tables';
import type { EmailEvent } from '../events/emailEvent.js';
import { errorFacts } from '../errors.js';
import { asciiBodies } from './asciiBodies.js';
import { appSettings, type Settings, type StorageConnection } from '../settings.js';
import { groupRange, indexWritesFor, quarantineExpiryRow, type IndexWrites } from './indexEntities.js';
import { suppressionRowsFor } from '../suppression/policy.js';
import { fromEventEntity, fromStoredEntity, toQuarantineEntity, toStoredEntity, type EventEntity, type QuarantineRecord, type StoredEvent } from './tableEntities.js';

export type AppendResult = 'stored' | 'duplicate';

/** A key range within one partition: from `from` (or just after it) up to `to`, exclusive. */
export interface KeyRange {
  from: string;
  fromExclusive?: boolean;
  to: string;
}

export interface EventStore {
  /**
   * Stores one event: its row in the message's partition and its index rows, all requests issued at
   * once (see indexWritesFor). A redelivered event is a 'duplicate' and changes nothing; its index rows
   * are written all the same, since a redelivery may follow a delivery of which only some writes landed.
   */
  append(event: EmailEvent, receivedAt: string): Promise<AppendResult>;
  /** Writes the index rows of a stored event again (the re-index command); idempotent. */
  appendIndexRows(event: EmailEvent, receivedAt: string): Promise<void>;
  /** Keeps an event that can never be stored as an email event, whole, with the reason, filed for retention by the day it came. */
  quarantine(record: QuarantineRecord): Promise<AppendResult>;
  /** Every stored event of one message, in no particular order (Cosmos DB for Table does not sort). */
  messageEvents(messageId: string): Promise<EmailEvent[]>;
  /** messageEvents, with when each event was received (retention and erasure). */
  storedEvents(messageId: string): Promise<StoredEvent[]>;
  /** Every stored event, a page at a time, in no particular order (the re-index command). */
  allEvents(pageSize: number): AsyncIterable<EmailEvent[]>;
  /**
   * Index rows of one partition (within a key range, and with a status or a sender, when given), in key
   * order, a page at a time.
   */
  indexRows(partitionKey: string, options?: { range?: KeyRange; status?: string; sender?: string; pageSize?: number }): AsyncIterable<Record<string, unknown>[]>;
  /**
   * One page of indexRows, from the start or from a continuation token, and the token of the next page
   * when one follows. A page may be empty and still have a next one (Table Storage ends a page after
   * five seconds, or at a partition server's boundary).
   */
  indexPage(partitionKey: string, options: { range?: KeyRange; status?: string; pageSize: number; continuationToken?: string }): Promise<IndexPage>;
  /**
   * The group rows an address partition keeps for each of the messages named by digest, in no
   * particular order: queries of 7 messages each, issued at once.
   */
  messageGroupRows(partitionKey: string, messageDigests: readonly string[]): Promise<Record<string, unknown>[]>;
  /** The index rows of one partition within any of the key ranges, in no particular order: queries of 7 ranges each, issued at once. */
  indexRowsInRanges(partitionKey: string, ranges: readonly { from: string; to: string }[]): Promise<Record<string, unknown>[]>;
  /** Inserts index rows of one partition in one entity group transaction; 'duplicate' when they are there already. */
  insertIndexRowsTogether(entities: readonly EventEntity[]): Promise<AppendResult>;
  /** Index rows whose partition key lies in [from, to), a page at a time, in key order (the expiry index). */
  indexPartitionRange(range: { from: string; to: string }, pageSize: number): AsyncIterable<Record<string, unknown>[]>;
  /**
   * Deletes rows of one partition, in entity group transactions of up to 100. A row already gone
   * counts as deleted (a run that stopped half-way is finished by the next). Returns how many went.
   */
  deleteRows(table: StoreTable, partitionKey: string, rowKeys: readonly string[]): Promise<number>;
  /**
   * Merges these properties into rows of one partition that are there (erasure's rewrite of a statistics
   * fact's recipient), in entity group transactions of up to 100, by exact keys and blind (no read, no
   * ETag). A row that is not there stays absent: a merge never creates one, and counts as done. Returns
   * how many rows were there and took the merge.
   */
  mergeRows(table: StoreTable, partitionKey: string, entities: readonly EventEntity[]): Promise<number>;
  /** Inserts a row into the index table, or merges these properties into it (erasure records). */
  upsertIndexRow(entity: EventEntity): Promise<void>;
  /**
   * Replaces rows that are there with these (erasure's rewrite of text that named an address), all
   * requests issued at once. A row already gone stays gone: a replace never brings a row back.
   */
  replaceRows(table: StoreTable, entities: readonly EventEntity[]): Promise<void>;
}

export type StoreTable = 'events' | 'index' | 'quarantine';

export interface IndexPage {
  rows: Record<string, unknown>[];
  /** The continuation token of the next page, when one follows. */
  next?: string;
}

export interface EventStoreOptions {
  /** Passed to every TableClient: tests add pipeline policies here, for example to count requests. */
  clientOptions?: TableServiceClientOptions;
}

let tablesSdk: Promise<typeof import('@azure/data-tables')> | undefined;
const loadTablesSdk = () => (tablesSdk ??= import('@azure/data-tables'));

async function createTableClient(connection: StorageConnection, table: string, callerOptions: TableServiceClientOptions): Promise<TableClient> {
  const { TableClient } = await loadTablesSdk();
  const options = { ...callerOptions, additionalPolicies: [asciiBodies, ...(callerOptions.additionalPolicies ?? [])] };
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

/** Writes once; a conflict means these exact rows are already there: a redelivery. */
async function writeOnce(write: () => Promise<unknown>): Promise<AppendResult> {
  try {
    await write();
    return 'stored';
  } catch (error) {
    const { statusCode, code } = errorFacts(error);
    if (statusCode === 409 && code !== 'TableBeingDeleted') return 'duplicate';
    throw error;
  }
}

/**
 * Azure Table Storage allows 15 comparisons in a filter: the partition key and 7 row key ranges.
 * https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities
 */
const RANGES_PER_QUERY = 7;
/** The most entities Table Storage returns in one response. */
const MAX_PAGE_SIZE = 1000;
/** The most operations one entity group transaction holds. */
const MAX_TRANSACTION_SIZE = 100;

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

  /** Once made, kept: a write whose 404 comes back after the table was made only writes again. */
  private createTable(client: TableClient): Promise<void> {
    this.creation ??= client.createTable().catch((error: unknown) => {
      this.creation = undefined;
      throw error;
    });
    return this.creation;
  }

  /** Runs the write; when the table is missing, creates it and writes again. */
  private async write(write: (client: TableClient) => Promise<unknown>): Promise<AppendResult> {
    const client = await this.tableClient();
    const attempt = async () => {
      try {
        return await writeOnce(() => write(client));
      } catch (error) {
        if (errorFacts(error).statusCode !== 404) throw error;
        return undefined;
      }
    };
    const result = (await attempt()) ?? (await this.createTable(client), await attempt());
    if (result !== undefined) return result;
    // Still missing after it was made: someone deleted the table since. Make it again, once.
    this.creation = undefined;
    await this.createTable(client);
    return writeOnce(() => write(client));
  }

  insert(entity: EventEntity): Promise<AppendResult> {
    return this.write((client) => client.createEntity(entity));
  }

  /** Inserts entities of one partition in one entity group transaction: all of them or none. */
  insertTogether(entities: readonly EventEntity[]): Promise<AppendResult> {
    if (entities.length === 1) return this.insert(entities[0]!);
    const actions: TransactionAction[] = entities.map((entity) => ['create', entity]);
    return this.write((client) => client.submitTransaction(actions));
  }

  /**
   * The entities the filter selects, a page at a time (each page says whether another follows); none
   * when the table does not exist yet.
   */
  async *query(filter: string | undefined, pageSize = MAX_PAGE_SIZE, continuationToken?: string): AsyncIterable<IndexPage> {
    const client = await this.tableClient();
    try {
      for await (const page of client.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: pageSize, ...(continuationToken ? { continuationToken } : {}) })) {
        yield page.continuationToken === undefined ? { rows: page } : { rows: page, next: page.continuationToken };
      }
    } catch (error) {
      if (errorFacts(error).statusCode === 404) return;
      throw error;
    }
  }

  /**
   * Applies an action to each of these rows of one partition where the row is there, in transactions of
   * up to 100: a missing row fails with a 404, which counts as done, not as a row. A transaction with a
   * missing row fails whole, so that chunk goes again one row at a time. Says how many rows were there.
   */
  private async whereThere<T>(items: readonly T[], inTransaction: (item: T) => TransactionAction, alone: (client: TableClient, item: T) => Promise<unknown>): Promise<number> {
    const client = await this.tableClient();
    let done = 0;
    const one = async (item: T) => {
      try {
        await alone(client, item);
        done++;
      } catch (error) {
        if (errorFacts(error).statusCode !== 404) throw error;
      }
    };
    for (let start = 0; start < items.length; start += MAX_TRANSACTION_SIZE) {
      const chunk = items.slice(start, start + MAX_TRANSACTION_SIZE);
      if (chunk.length === 1) {
        await one(chunk[0]!);
        continue;
      }
      try {
        await client.submitTransaction(chunk.map(inTransaction));
        done += chunk.length;
      } catch (error) {
        if (errorFacts(error).statusCode !== 404) throw error;
        for (const item of chunk) await one(item);
      }
    }
    return done;
  }

  /** Deletes these rows of one partition; a row already gone counts as deleted, and not in the count. */
  delete(partitionKey: string, rowKeys: readonly string[]): Promise<number> {
    return this.whereThere(
      [...new Set(rowKeys)],
      (rowKey) => ['delete', { partitionKey, rowKey }],
      (client, rowKey) => client.deleteEntity(partitionKey, rowKey),
    );
  }

  /** Merges into the rows of one partition that are there (update, not upsert: a missing row is not made); says how many were there. */
  merge(partitionKey: string, entities: readonly EventEntity[]): Promise<number> {
    return this.whereThere(
      [...new Map(entities.map((entity) => [entity.rowKey, { ...entity, partitionKey }])).values()],
      (entity) => ['update', entity, 'Merge'],
      (client, entity) => client.updateEntity(entity, 'Merge'),
    );
  }

  /** Replaces the row if it is there; says whether it was. */
  async replace(entity: EventEntity): Promise<boolean> {
    const client = await this.tableClient();
    try {
      await client.updateEntity(entity, 'Replace');
      return true;
    } catch (error) {
      if (errorFacts(error).statusCode === 404) return false;
      throw error;
    }
  }

  async upsert(entity: EventEntity): Promise<void> {
    await this.write((client) => client.upsertEntity(entity, 'Merge'));
  }

  async all(filter: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for await (const page of this.query(filter)) rows.push(...page.rows);
    return rows;
  }
}

async function indexFilter(partitionKey: string, { range, status, sender }: { range?: KeyRange; status?: string; sender?: string }): Promise<string> {
  const { odata } = await loadTablesSdk();
  const conditions = [odata`PartitionKey eq ${partitionKey}`];
  if (range) conditions.push(range.fromExclusive ? odata`RowKey gt ${range.from}` : odata`RowKey ge ${range.from}`, odata`RowKey lt ${range.to}`);
  if (status !== undefined) conditions.push(odata`status eq ${status}`);
  if (sender !== undefined) conditions.push(odata`sender eq ${sender}`);
  return conditions.join(' and ');
}

export function createEventStore(settings: Settings, options: EventStoreOptions = {}): EventStore {
  const clientOptions = options.clientOptions ?? {};
  const events = new LazyTable(settings.storage, settings.eventsTable, clientOptions);
  const quarantine = new LazyTable(settings.storage, settings.quarantineTable, clientOptions);
  const index = new LazyTable(settings.storage, settings.indexTable, clientOptions);

  const suppressionPolicy = { suppressOn: settings.suppression.suppressOn };
  const writesFor = (event: EmailEvent, receivedAt: string): IndexWrites => {
    const writes = indexWritesFor(event, receivedAt);
    const suppression = suppressionRowsFor(event, suppressionPolicy);
    return suppression ? { ...writes, suppression } : writes;
  };
  const indexWrites = (writes: IndexWrites): Promise<AppendResult>[] => [
    ...(writes.recipient ? [index.insertTogether(writes.recipient)] : []),
    ...(writes.internetMessageId ? [index.insert(writes.internetMessageId)] : []),
    index.insert(writes.expiry),
    ...(writes.stats ?? []).map((row) => index.insert(row)),
    ...(writes.suppression ? [index.insertTogether(writes.suppression)] : []),
  ];

  const rowsInRanges = async (partitionKey: string, ranges: readonly { from: string; to: string }[]): Promise<Record<string, unknown>[]> => {
    const { odata } = await loadTablesSdk();
    const queries: Promise<Record<string, unknown>[]>[] = [];
    for (let start = 0; start < ranges.length; start += RANGES_PER_QUERY) {
      const filters = ranges.slice(start, start + RANGES_PER_QUERY).map(({ from, to }) => odata`(RowKey ge ${from} and RowKey lt ${to})`);
      queries.push(index.all(`${odata`PartitionKey eq ${partitionKey}`} and (${filters.join(' or ')})`));
    }
    return (await Promise.all(queries)).flat();
  };
  const tables: Record<StoreTable, LazyTable> = { events, index, quarantine };

  /** Every write settles before the first failure is thrown, so a retry finds no write still in flight. */
  async function settleAll<T>(writes: Promise<T>[]): Promise<T[]> {
    const outcomes = await Promise.allSettled(writes);
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
  }

  async function storedEvents(messageId: string): Promise<StoredEvent[]> {
    const { odata } = await loadTablesSdk();
    return (await events.all(odata`PartitionKey eq ${messageId}`)).map(fromStoredEntity);
  }

  return {
    append: async (event, receivedAt) => {
      const [result] = await settleAll([events.insert(toStoredEntity({ event, receivedAt })), ...indexWrites(writesFor(event, receivedAt))]);
      return result!;
    },
    appendIndexRows: async (event, receivedAt) => {
      await settleAll(indexWrites(writesFor(event, receivedAt)));
    },
    quarantine: async (record) => {
      const entity = toQuarantineEntity(record);
      const [result] = await settleAll([quarantine.insert(entity), index.insert(quarantineExpiryRow(entity, record.receivedAt))]);
      return result!;
    },
    messageEvents: async (messageId) => (await storedEvents(messageId)).map(({ event }) => event),
    storedEvents,
    allEvents: async function* (pageSize) {
      for await (const page of events.query(undefined, pageSize)) yield page.rows.map((entity) => fromEventEntity(entity));
    },
    indexRows: async function* (partitionKey, options = {}) {
      for await (const page of index.query(await indexFilter(partitionKey, options), options.pageSize)) yield page.rows;
    },
    indexPage: async (partitionKey, options) => {
      for await (const page of index.query(await indexFilter(partitionKey, options), options.pageSize, options.continuationToken)) return page;
      return { rows: [] };
    },
    indexPartitionRange: async function* ({ from, to }, pageSize) {
      const { odata } = await loadTablesSdk();
      for await (const page of index.query(odata`PartitionKey ge ${from} and PartitionKey lt ${to}`, pageSize)) yield page.rows;
    },
    deleteRows: (table, partitionKey, rowKeys) => tables[table].delete(partitionKey, rowKeys),
    mergeRows: (table, partitionKey, entities) => tables[table].merge(partitionKey, entities),
    upsertIndexRow: (entity) => index.upsert(entity),
    replaceRows: async (table, entities) => {
      await settleAll(entities.map((entity) => tables[table].replace(entity)));
    },
    messageGroupRows: (partitionKey, messageDigests) => rowsInRanges(partitionKey, messageDigests.map(groupRange)),
    indexRowsInRanges: rowsInRanges,
    insertIndexRowsTogether: (entities) => index.insertTogether(entities),
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
