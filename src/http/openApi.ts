/**
 * The OpenAPI 3.1 document of the app's HTTP API, served at GET /api/openapi.json. Built from the
 * constants the code uses (page sizes, statuses, content types), so that it cannot drift from them;
 * the tests validate it and check every integration test's real responses against its schemas.
 */
import { DELIVERY_REPORT_EVENT_TYPE, EMAIL_EVENT_TYPES, ENGAGEMENT_REPORT_EVENT_TYPE, KNOWN_DELIVERY_STATUSES } from '../events/emailEvent.js';
import { DEFAULT_RECIPIENT_PAGE_SIZE, MAX_LOOKUP_VALUE_LENGTH } from './lookupRequests.js';
import { CSV_TYPE, DEFAULT_SUPPRESSION_PAGE_SIZE, MAX_NOTE_LENGTH, SUPPRESSION_REASONS, SUPPRESSION_STATES } from './suppressionRequests.js';
import { CSV_COLUMNS } from '../suppression/csv.js';
import { PRIVATE_ANSWER_HEADERS, PROBLEM_CONTENT_TYPE } from './problem.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './statusRequest.js';
import { MAX_KEY_LENGTH } from '../storage/tableLimits.js';
import { ACTIVITY_ASSET_TYPES, ACTIVITY_PAGE_TYPE } from '../web/assets.js';
import { MACHINE_RULES, MACHINE_SECONDS } from '../engagement/machineRules.js';
import { DAY_MESSAGE_STATUSES, DEFAULT_STATS_DAYS, MAX_HOURLY_DAYS, MAX_STATS_DAYS } from './statsRequest.js';
import { ROLES_FOR, SIGNED_IN_PREFIX, type Access } from '../auth/access.js';

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });
const timestamp = { type: ['string', 'null'], description: 'UTC, ISO 8601 with the fraction digits ACS sent.', examples: ['2026-11-27T09:15:01.9731425Z'] };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const object = (properties: Record<string, unknown>, optional: string[] = []) => ({
  type: 'object',
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
  properties,
  additionalProperties: false,
});

/** Declared on every answer of the app's that carries JSON (src/http/problem.ts sets them). */
const privateAnswerHeaders = { 'Cache-Control': { $ref: '#/components/headers/NoStore' }, 'X-Content-Type-Options': { $ref: '#/components/headers/NoSniff' } };
const problemResponse = (description: string) => ({ description, headers: privateAnswerHeaders, content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } } });
const jsonResponse = (description: string, schema: unknown) => ({ description, headers: privateAnswerHeaders, content: { 'application/json': { schema } } });
const badRequest = problemResponse(
  'A bad parameter: `parameter` names it. A request the host cannot read at all (raw bytes in its path, a target that is no URL path, not HTTP) is answered 400 without one.',
);
const errors = {
  '400': badRequest,
  '404': problemResponse('Nothing is recorded for it.'),
  '500': problemResponse('Storage could not be read; the body says nothing more.'),
};

const limitParameter = (fallback: number) => ({
  name: 'limit',
  in: 'query',
  description: 'Items per page.',
  schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: fallback },
});
const pageTokenParameter = {
  name: 'pageToken',
  in: 'query',
  description: 'The `nextPageToken` of the previous page (opaque; bound to this list and its filters).',
  schema: { type: 'string' },
};
const pathParameter = (name: string, description: string, maxLength: number) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', minLength: 1, maxLength },
});
const addressParameter = pathParameter('address', 'An email address; matched trimmed and case-insensitively.', MAX_LOOKUP_VALUE_LENGTH);
const status = { type: 'string', description: `${KNOWN_DELIVERY_STATUSES.join(', ')}, or what ACS sent.` };
const machine = {
  machine: { type: 'boolean', description: 'Whether the open or click is likely a machine\'s (a mail security gateway, a link scanner, Apple Mail Privacy Protection), not a person\'s.' },
  machineRule: {
    enum: [...MACHINE_RULES],
    description: `The rule that matched, when \`machine\` is true: by the user agent, or \`seconds-after-delivery\` (within ${MACHINE_SECONDS} seconds of the recipient's delivery attempt).`,
  },
};
const count = { type: 'integer', minimum: 0 };
const rate = {
  type: ['number', 'null'],
  minimum: 0,
  description: 'A fraction, to 4 places; null when there is nothing to divide by. Opens and clicks count on their own day, over that day\'s deliveries, so an open or click rate may pass 1.',
};
const split = object({ total: count, unique: count });
const engagementCounts = object({ total: count, unique: count, human: split, machine: split });
const countsProperties = {
  recipients: { ...count, description: 'Recipients counted, each recipient of a message once, by its latest delivery report.' },
  statuses: { type: 'object', description: `Recipients by the status of their latest report: ${KNOWN_DELIVERY_STATUSES.join(', ')}, Pending (a report without a status), or what ACS sent.`, additionalProperties: { type: 'integer', minimum: 1 } },
  opens: engagementCounts,
  clicks: engagementCounts,
  deliveryRate: rate,
  bounceRate: rate,
  openRate: rate,
  clickRate: rate,
  humanOpenRate: rate,
  humanClickRate: rate,
};

/**
 * A pattern that matches any of `names` in any case, with the white space around it that the parser
 * trims (JSON Schema patterns take no flags, so each letter is a class: `[Dd][Ee]…`).
 */
function anyCasePattern(names: readonly string[]): string {
  const letters = (name: string) => [...name].map((c) => (c.toLowerCase() === c.toUpperCase() ? c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : `[${c.toUpperCase()}${c.toLowerCase()}]`)).join('');
  return `^\\s*(?:${names.map(letters).join('|')})\\s*$`;
}

const suppressionEntryProperties = {
  address: { type: 'string', description: 'As ACS sent it (or as it was typed) in the newest change that names it.' },
  state: { enum: ['suppressed', 'reactivated'] },
  reason: { type: 'string', description: 'What began the episode: the status of the report that suppressed the address (Bounced by default; EmailEventsSuppressOn), or Manual.' },
  firstSeenAt: timestamp,
  lastSeenAt: timestamp,
  count: { type: 'integer', minimum: 0, description: 'Suppressing reports in this episode (since the last reactivation).' },
  messageId: nullable('string', { description: 'The message of the newest suppressing report.' }),
  statusMessage: nullable('string'),
  updatedAt: { ...timestamp, description: 'The newest change: where the entry stands in the list.' },
  sync: object({
    state: { enum: ['off', 'pending', 'synced', 'retrying'], description: 'off: no ACS list is named (EmailEventsSuppressionList); pending: the newest change has yet to reach ACS; synced: it has; retrying: the last attempt failed and another follows at nextAttemptAt.' },
    syncedAt: timestamp,
    lastAttemptAt: timestamp,
    lastError: nullable('string', { description: 'What the last failed attempt got, such as "HTTP 429".' }),
    nextAttemptAt: timestamp,
  }),
};

const schemas = {
  SuppressionEntry: object(suppressionEntryProperties),
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details.',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      parameter: { type: 'string', description: 'The parameter at fault (400), when the request named one that is bad.' },
      instance: { type: 'string' },
    },
  },
  RecipientStatus: object({
    recipient: nullable('string'),
    status: nullable('string', { description: status.description }),
    statusMessage: nullable('string'),
    attemptedAt: timestamp,
    views: { type: 'integer', minimum: 0 },
    clicks: { type: 'integer', minimum: 0 },
  }),
  EventView: {
    oneOf: [
      object(
        {
          id: { type: 'string' },
          type: { const: 'delivery' },
          eventType: { const: DELIVERY_REPORT_EVENT_TYPE },
          occurredAt: timestamp,
          recipient: nullable('string'),
          status: nullable('string'),
          statusMessage: nullable('string'),
          recipientMailServerHostName: nullable('string'),
          internetMessageId: nullable('string'),
          truncatedFields: { type: 'array', items: { type: 'string' } },
        },
        ['truncatedFields'],
      ),
      object(
        {
          id: { type: 'string' },
          type: { const: 'engagement' },
          eventType: { const: ENGAGEMENT_REPORT_EVENT_TYPE },
          occurredAt: timestamp,
          recipient: nullable('string'),
          engagementType: nullable('string', { description: '`view`, `click`, or what ACS sent, in lowercase.' }),
          engagementContext: nullable('string', { description: 'The clicked link; empty for views.' }),
          userAgent: nullable('string'),
          ...machine,
          truncatedFields: { type: 'array', items: { type: 'string' } },
        },
        ['truncatedFields', 'machineRule'],
      ),
    ],
  },
  MessageStatus: object(
    {
      messageId: { type: 'string' },
      sender: nullable('string'),
      status: { type: 'string', description: `Pending, Mixed, or the status every recipient shares.` },
      recipients: { type: 'array', items: ref('RecipientStatus') },
      engagement: object({
        views: { type: 'integer', minimum: 0 },
        clicks: { type: 'integer', minimum: 0 },
        firstViewedAt: timestamp,
        lastEngagedAt: timestamp,
        links: { type: 'array', items: object({ url: { type: 'string' }, clicks: { type: 'integer', minimum: 1 } }) },
      }),
      events: { type: 'array', items: ref('EventView') },
      nextPageToken: { type: 'string' },
    },
    ['nextPageToken'],
  ),
  DeliveryOutcome: object({ messageId: { type: 'string' }, status: nullable('string'), statusMessage: nullable('string'), attemptedAt: timestamp }),
  SuppressionChange: object(
    {
      kind: { enum: ['bounce', 'add', 'reactivate'] },
      at: timestamp,
      address: nullable('string'),
      messageId: { type: 'string' },
      status: nullable('string'),
      statusMessage: nullable('string'),
      by: object({ kind: { enum: ['user', 'key', 'local'] }, id: { type: 'string' }, name: { type: 'string' } }, ['id', 'name']),
      note: { type: 'string', description: 'Why: the note of an add, the reason of a reactivation.' },
    },
    ['messageId', 'status', 'statusMessage', 'by', 'note'],
  ),
  SuppressionEntryWithHistory: object({
    ...suppressionEntryProperties,
    changes: { type: 'array', items: ref('SuppressionChange'), description: 'Every change, newest first: who, when and why.' },
  }),
  SuppressionList: object({ entries: { type: 'array', items: ref('SuppressionEntry') }, nextPageToken: { type: 'string' } }, ['nextPageToken']),
  RecipientSummary: object({
    address: nullable('string', { description: 'As ACS sent it in its latest report.' }),
    latestDelivery: { oneOf: [ref('DeliveryOutcome'), { type: 'null' }] },
    messages: object({
      total: { type: 'integer', minimum: 0 },
      byStatus: {
        type: 'object',
        description: 'Messages per the status the message list shows for the address; `""` counts those whose latest report has no status (`""` or null).',
        additionalProperties: { type: 'integer', minimum: 1 },
      },
    }),
    latestFailure: { oneOf: [ref('DeliveryOutcome'), { type: 'null' }], description: 'The latest report whose status is Bounced or Failed.' },
    suppression: { oneOf: [ref('SuppressionEntry'), { type: 'null' }], description: 'The address\'s entry in the suppression list, or null.' },
    engagement: object({
      views: { type: 'integer', minimum: 0 },
      clicks: { type: 'integer', minimum: 0 },
      latest: {
        oneOf: [
          object({ messageId: { type: 'string' }, engagementType: nullable('string'), engagementContext: nullable('string'), occurredAt: timestamp, ...machine }, ['machineRule']),
          { type: 'null' },
        ],
      },
    }),
  }),
  RecipientMessage: object({
    messageId: { type: 'string' },
    recipient: nullable('string'),
    status: nullable('string'),
    statusMessage: nullable('string'),
    attemptedAt: timestamp,
    sender: nullable('string'),
    internetMessageId: nullable('string', { description: "From this address's reports: null when none carries one (Suppressed reports never do)." }),
    views: { type: 'integer', minimum: 0 },
    clicks: { type: 'integer', minimum: 0 },
  }),
  StatsCounts: object(countsProperties),
  StatsBucket: object({
    start: { type: 'string', description: 'The day (YYYY-MM-DD), or the first instant of the hour (YYYY-MM-DDTHH:00:00Z).' },
    source: { enum: ['rollup', 'live'], description: '`rollup`: counted by the roll-up at `rolledUpAt`; `live`: counted from the stored facts as this request read them.' },
    rolledUpAt: nullable('string'),
    ...countsProperties,
  }),
  Statistics: object({
    from: { type: 'string', description: 'YYYY-MM-DD' },
    to: { type: 'string', description: 'YYYY-MM-DD' },
    granularity: { enum: ['day', 'hour'] },
    sender: nullable('string'),
    generatedAt: { type: 'string' },
    totals: { ...ref('StatsCounts'), description: 'Sums of the buckets: a recipient who opens on two days is a unique open on each.' },
    buckets: { type: 'array', items: ref('StatsBucket') },
  }),
  RecipientMessages: object({ messages: { type: 'array', items: ref('RecipientMessage') }, nextPageToken: { type: 'string' } }, ['nextPageToken']),
  DayMessage: object({
    messageId: { type: 'string' },
    sender: nullable('string', { description: 'The sending address, trimmed and lowercased.' }),
    lastEventAt: nullable('string', { description: "The time of the message's latest event of the day." }),
    recipients: countsProperties.recipients,
    statuses: countsProperties.statuses,
    opens: engagementCounts,
    clicks: engagementCounts,
  }),
  DayMessages: object(
    {
      day: { type: 'string', description: 'YYYY-MM-DD' },
      messages: { type: 'array', items: ref('DayMessage'), description: "In no particular order (by a digest of the id), each message once; every message's counts added up give the day's statistics." },
      nextPageToken: { type: 'string' },
    },
    ['nextPageToken'],
  ),
  InternetMessageLookup: object({
    internetMessageId: { type: 'string' },
    messages: {
      type: 'array',
      minItems: 1,
      items: object({ messageId: { type: 'string' }, sender: nullable('string'), status: { type: 'string' }, recipients: { type: 'array', items: ref('RecipientStatus') } }),
    },
  }),
};

const TAGS = {
  messages: 'Messages',
  addresses: 'Addresses',
  erasure: 'Retention and erasure',
  page: 'Activity page',
  ingest: 'Ingest',
  statistics: 'Statistics',
  suppression: 'Suppression',
} as const;

const keyed = [{ functionKey: [] }, { functionKeyQuery: [] }];
const adminKeyed = [{ adminKey: [] }];
const systemKeyed = [{ systemKeyQuery: [] }, { systemKey: [] }];
const signedIn = [{ entraIdToken: [] }, { appServiceSession: [] }];
const erased = {
  '204': { description: 'Erased, or nothing was left to erase. Applied again after Event Grid\'s 24-hour retry window.' },
  '400': errors['400'],
  '500': errors['500'],
};

/** What the Functions host answers a keyed route called without a valid key, before the app sees the request. */
const unauthorized = { description: 'No key, or not one this route takes: the Functions host answers, with no body (the local host checks no key).' };

type Operation = { operationId: string; summary: string; security: unknown[]; responses: Record<string, { description: string; headers?: unknown; content?: unknown }> } & Record<string, unknown>;
type PathItem = Record<string, Operation>;

/**
 * What every operation gets by rule, so that a route added later gets it too: a 401 where a key is
 * asked for, and a HEAD beside every GET (the app registers one; src/registry.ts), with the GET's
 * statuses and headers and no body.
 */
function byRule(paths: Record<string, PathItem>): Record<string, PathItem> {
  const withUnauthorized = (operation: Operation): Operation =>
    operation.security.length === 0 ? operation : { ...operation, responses: { '401': unauthorized, ...operation.responses } };
  const headOf = (get: Operation): Operation => ({
    ...get,
    operationId: `${get.operationId}Head`,
    summary: `The headers of GET, without its body: ${get.summary.charAt(0).toLowerCase()}${get.summary.slice(1)}`,
    responses: Object.fromEntries(Object.entries(get.responses).map(([code, { description, headers }]) => [code, { description, ...(headers ? { headers } : {}) }])),
  });
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => {
      const operations = Object.fromEntries(Object.entries(item).map(([method, operation]) => [method, withUnauthorized(operation)]));
      return [path, operations.get ? { ...operations, head: headOf(operations.get) } : operations];
    }),
  );
}
/** What each API operation does to the data: the access level its function declares (test/auth.test.ts holds them equal). */
export const API_ACCESS: Record<string, Access> = {
  getMessageStatus: 'read',
  eraseMessage: 'change',
  getRecipient: 'read',
  eraseRecipient: 'change',
  listRecipientMessages: 'read',
  getInternetMessage: 'read',
  listSuppressions: 'read',
  getSuppression: 'read',
  addSuppression: 'change',
  reactivateSuppression: 'change',
  getStatistics: 'read',
  listDayMessages: 'read',
};

/**
 * The API paths with the people's door of each (src/auth/access.ts) beside them: the same operation
 * under /api/signed-in/, for a person signed in with Microsoft Entra ID who holds a role that its
 * access level allows. Paths without an API operation (the page, this document, the webhook) have none.
 */
function withPeoplesDoors(paths: Record<string, PathItem>): Record<string, PathItem> {
  const doors: Record<string, PathItem> = {};
  for (const [path, operations] of Object.entries(paths)) {
    const api = Object.entries(operations).filter(([, operation]) => operation.operationId in API_ACCESS);
    if (api.length === 0) continue;
    doors[path.replace(/^\/api\//, `/api/${SIGNED_IN_PREFIX}/`)] = Object.fromEntries(
      api.map(([method, operation]) => {
        const roles = ROLES_FOR[API_ACCESS[operation.operationId]!];
        const door: Operation = {
          ...operation,
          operationId: `${operation.operationId}SignedIn`,
          summary: `${operation.summary} For a person signed in with Microsoft Entra ID who holds ${roles.join(' or ')}.`,
          security: signedIn,
          responses: {
            ...operation.responses,
            '401': problemResponse('Nobody is signed in (or the platform sign-in is not in front of the app).'),
            '403': problemResponse(`The person holds neither ${roles.join(' nor ')}.`),
          },
        };
        return [method, door];
      }),
    );
  }
  return { ...paths, ...doors };
}

/** The Functions host's admin call that runs a timer function now. */
const runTimerNow = (operationId: string, what: string, tag: string) => ({
  post: {
    operationId,
    tags: [tag],
    summary: `Runs ${what} now (the Functions host's admin call).`,
    security: adminKeyed,
    requestBody: { required: true, content: { 'application/json': { schema: object({ input: { type: 'string' } }) } } },
    responses: { '202': { description: 'The run has started; its summary goes to the log.' } },
  },
});

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'ACS Email Status',
      version: '1.0.0',
      description: 'What happened to an email sent with Azure Communication Services: by message, by address, by Internet Message-ID.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: TAGS.messages, description: 'What happened to a message: by its ACS messageId, or by the Message-ID header it carried.' },
      { name: TAGS.addresses, description: 'What happened to the email sent to an address.' },
      { name: TAGS.erasure, description: 'Erasing a message or an address, and running retention now.' },
      { name: TAGS.page, description: 'The activity page, for people, and this document.' },
      { name: TAGS.suppression, description: 'The addresses not to mail: the list, adding by hand, reactivating, and its sync into ACS.' },
      { name: TAGS.statistics, description: 'Deliverability per day or hour: delivery, bounce, open and click rates, machine engagement told apart.' },
      { name: TAGS.ingest, description: 'Where Event Grid delivers the ACS Email events.' },
    ],
    components: {
      schemas,
      headers: {
        NoStore: { description: 'The answer may hold personal data: no cache keeps it.', required: true, schema: { const: PRIVATE_ANSWER_HEADERS['cache-control'] } },
        NoSniff: { description: 'Read as its content type says, never sniffed.', required: true, schema: { const: PRIVATE_ANSWER_HEADERS['x-content-type-options'] } },
      },
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'A function key (not needed locally).' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code', description: 'A function key, in the query (not needed locally).' },
        adminKey: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'The host master (admin) key (not needed locally).' },
        systemKeyQuery: {
          type: 'apiKey',
          in: 'query',
          name: 'code',
          description: "The Event Grid extension's system key (`eventgrid_extension`), as the Event Grid subscription's URL carries it (not needed locally).",
        },
        systemKey: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: "The Event Grid extension's system key, in a header (not needed locally)." },
        entraIdToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "A Microsoft Entra ID token for the app's registration, checked by App Service Authentication (docs/authentication.md).",
        },
        appServiceSession: { type: 'apiKey', in: 'cookie', name: 'AppServiceAuthSession', description: 'The session cookie of a browser signed in at /.auth/login/aad.' },
      },
    },
    paths: byRule(withPeoplesDoors({
      [`/api/${SIGNED_IN_PREFIX}/me`]: {
        get: {
          operationId: 'getSignedInUser',
          tags: [TAGS.page],
          summary: 'Who the app takes the caller for: a signed-in person (name and app roles), or nobody, with where to sign in when the platform sign-in is in front of the app.',
          security: [],
          responses: {
            '200': jsonResponse('The caller.', {
              oneOf: [
                object({ signedIn: { const: true }, name: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } } }, ['name']),
                object({ signedIn: { const: false }, signIn: { type: 'string', description: 'Where to sign in.' } }, ['signIn']),
              ],
            }),
          },
        },
      },
      '/api/messages': {
        get: {
          operationId: 'listDayMessages',
          tags: [TAGS.statistics],
          summary: "A day's messages, each counted as the day's statistics count it (recipients by final status, opens and clicks), a page at a time.",
          security: keyed,
          parameters: [
            { name: 'day', in: 'query', required: true, description: 'The day, UTC, YYYY-MM-DD, not after today.', schema: { type: 'string', format: 'date' } },
            { name: 'sender', in: 'query', description: 'Only mail from this sender address (matched trimmed and case-insensitively).', schema: { type: 'string', minLength: 1, maxLength: MAX_LOOKUP_VALUE_LENGTH } },
            {
              name: 'status',
              in: 'query',
              description: `Only messages with a recipient whose latest report has this status and counts on the day: ${DAY_MESSAGE_STATUSES.join(', ')}, in any case.`,
              schema: { type: 'string', pattern: anyCasePattern(DAY_MESSAGE_STATUSES), examples: ['Bounced'] },
            },
            limitParameter(DEFAULT_RECIPIENT_PAGE_SIZE),
            pageTokenParameter,
          ],
          responses: { '200': jsonResponse("One page of the day's messages.", ref('DayMessages')), '400': errors['400'], '500': errors['500'] },
        },
      },
      '/api/messages/{messageId}': {
        get: {
          operationId: 'getMessageStatus',
          tags: [TAGS.messages],
          summary: "A message's status, recipients, engagement and events, oldest first, a page at a time.",
          security: keyed,
          parameters: [pathParameter('messageId', 'The ACS messageId.', MAX_KEY_LENGTH), limitParameter(DEFAULT_PAGE_SIZE), pageTokenParameter],
          responses: { '200': jsonResponse('The message.', ref('MessageStatus')), ...errors },
        },
        delete: {
          operationId: 'eraseMessage',
          tags: [TAGS.erasure],
          summary: 'Erases the message: its events and every index row of it.',
          security: keyed,
          parameters: [pathParameter('messageId', 'The ACS messageId.', MAX_KEY_LENGTH)],
          responses: erased,
        },
      },
      '/api/recipients/{address}': {
        get: {
          operationId: 'getRecipient',
          tags: [TAGS.addresses],
          summary: 'What is known about an address across every message sent to it.',
          security: keyed,
          parameters: [addressParameter],
          responses: { '200': jsonResponse('The address.', ref('RecipientSummary')), ...errors },
        },
        delete: {
          operationId: 'eraseRecipient',
          tags: [TAGS.erasure],
          summary: 'Erases every event and index row that names the address, and its suppression entry (the sync then takes it off the ACS list); other recipients keep theirs.',
          security: keyed,
          parameters: [addressParameter],
          responses: erased,
        },
      },
      '/api/suppressions': {
        get: {
          operationId: 'listSuppressions',
          tags: [TAGS.suppression],
          summary: 'The suppression list: the addresses not to mail, newest change first, a page at a time, as JSON or CSV.',
          security: keyed,
          parameters: [
            limitParameter(DEFAULT_SUPPRESSION_PAGE_SIZE),
            pageTokenParameter,
            { name: 'state', in: 'query', description: 'Entries in this state (all: both).', schema: { type: 'string', enum: [...SUPPRESSION_STATES], default: 'suppressed' } },
            { name: 'reason', in: 'query', description: 'Entries of this reason (any case).', schema: { type: 'string', enum: [...SUPPRESSION_REASONS] } },
            { name: 'since', in: 'query', description: 'Entries whose newest change is at or after this instant: ISO 8601 with its offset.', schema: { type: 'string' } },
            { name: 'until', in: 'query', description: 'Entries whose newest change is at or before this instant: ISO 8601 with its offset.', schema: { type: 'string' } },
            { name: 'format', in: 'query', description: 'csv for CSV (as `Accept: text/csv` asks too); the next page is then in the `Link` header.', schema: { type: 'string', enum: ['json', 'csv'] } },
          ],
          responses: {
            '200': {
              description: `One page of entries. As CSV: a header row (${CSV_COLUMNS.join(',')}) and a row per entry; the next page's URL in \`Link: <…>; rel="next"\`.`,
              headers: { Link: { description: 'CSV only: the next page (RFC 8288), when there is one.', schema: { type: 'string' } } },
              content: { 'application/json': { schema: ref('SuppressionList') }, [CSV_TYPE]: { schema: { type: 'string' } } },
            },
            '400': errors['400'],
            '500': errors['500'],
          },
        },
      },
      '/api/suppressions/{address}': {
        get: {
          operationId: 'getSuppression',
          tags: [TAGS.suppression],
          summary: "An address's suppression entry, with every change to it: who, when, why.",
          security: keyed,
          parameters: [addressParameter],
          responses: { '200': jsonResponse('The entry.', ref('SuppressionEntryWithHistory')), ...errors, '404': problemResponse('The address is not on the list and never was.') },
        },
        put: {
          operationId: 'addSuppression',
          tags: [TAGS.suppression],
          summary: 'Adds an address by hand, with a note; the caller and the time are recorded. Adding it again records the note again.',
          security: keyed,
          parameters: [addressParameter],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: object({ note: { type: 'string', minLength: 1, maxLength: MAX_NOTE_LENGTH, description: 'Why the address is added.' } }) } },
          },
          responses: { '200': jsonResponse('The entry, suppressed.', ref('SuppressionEntryWithHistory')), '400': errors['400'], '500': errors['500'] },
        },
        delete: {
          operationId: 'reactivateSuppression',
          tags: [TAGS.suppression],
          summary: 'Reactivates an address: takes it off the list (and, through the sync, off the ACS list); the caller, the time and the reason are recorded, and the history stays. A later suppressing report suppresses it again.',
          security: keyed,
          parameters: [
            addressParameter,
            { name: 'reason', in: 'query', required: true, description: 'Why the address is reactivated.', schema: { type: 'string', minLength: 1, maxLength: MAX_NOTE_LENGTH } },
          ],
          responses: {
            '200': jsonResponse('The entry, reactivated (answered as it is, with nothing recorded, when it was not suppressed).', ref('SuppressionEntryWithHistory')),
            ...errors,
            '404': problemResponse('The address is not on the list and never was.'),
          },
        },
      },
      '/api/recipients/{address}/messages': {
        get: {
          operationId: 'listRecipientMessages',
          tags: [TAGS.addresses],
          summary: "The messages sent to an address, newest attempt first, each with this address's own status.",
          security: keyed,
          parameters: [
            addressParameter,
            limitParameter(DEFAULT_RECIPIENT_PAGE_SIZE),
            pageTokenParameter,
            {
              name: 'status',
              in: 'query',
              description: `Only messages whose latest report for the address has this status: ${KNOWN_DELIVERY_STATUSES.join(', ')}, in any case.`,
              schema: { type: 'string', pattern: anyCasePattern(KNOWN_DELIVERY_STATUSES), examples: ['Bounced', 'bounced'] },
            },
            { name: 'since', in: 'query', description: 'Only messages attempted at or after this instant: ISO 8601 with its offset (Z or ±hh:mm), up to 9 fraction digits.', schema: { type: 'string' } },
            { name: 'until', in: 'query', description: 'Only messages attempted at or before this instant: ISO 8601 with its offset (Z or ±hh:mm), up to 9 fraction digits.', schema: { type: 'string' } },
          ],
          responses: { '200': jsonResponse('One page of messages.', ref('RecipientMessages')), ...errors },
        },
      },
      '/api/internet-messages/{internetMessageId}': {
        get: {
          operationId: 'getInternetMessage',
          tags: [TAGS.messages],
          summary: 'The message(s) that carry an Internet Message-ID (with or without its <>).',
          security: keyed,
          parameters: [pathParameter('internetMessageId', 'A Message-ID header value.', MAX_LOOKUP_VALUE_LENGTH)],
          responses: { '200': jsonResponse('The message(s).', ref('InternetMessageLookup')), ...errors },
        },
      },
      '/api/stats': {
        get: {
          operationId: 'getStatistics',
          tags: [TAGS.statistics],
          summary: 'Deliverability per day (UTC) or hour: recipients by final status, delivery and bounce rates, opens and clicks split into likely human and likely machine.',
          security: keyed,
          parameters: [
            { name: 'from', in: 'query', description: `First day, UTC, YYYY-MM-DD. Default: ${DEFAULT_STATS_DAYS} days to \`to\` (1 day with hours).`, schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', description: `Last day, UTC, YYYY-MM-DD, not after today. Default: today. A range covers at most ${MAX_STATS_DAYS} days (${MAX_HOURLY_DAYS} with hours).`, schema: { type: 'string', format: 'date' } },
            { name: 'sender', in: 'query', description: 'Only mail from this sender address (matched trimmed and case-insensitively).', schema: { type: 'string', minLength: 1, maxLength: MAX_LOOKUP_VALUE_LENGTH } },
            { name: 'granularity', in: 'query', description: 'A bucket per day or per hour.', schema: { enum: ['day', 'hour'], default: 'day' } },
          ],
          responses: { '200': jsonResponse('The statistics of the range.', ref('Statistics')), '400': errors['400'], '500': errors['500'] },
        },
      },
      '/api/activity': {
        get: {
          operationId: 'getActivityPage',
          tags: [TAGS.page],
          summary: 'The activity page: search by message ID, address or Message-ID header, and see what happened (a page for people; it calls the API above).',
          security: [],
          responses: { '200': { description: 'The page.', content: { [ACTIVITY_PAGE_TYPE.split(';')[0]!]: { schema: { type: 'string' } } } } },
        },
      },
      '/api/activity/{asset}': {
        get: {
          operationId: 'getActivityAsset',
          tags: [TAGS.page],
          summary: "The activity page's script, stylesheet and icon.",
          security: [],
          parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string', enum: Object.keys(ACTIVITY_ASSET_TYPES) } }],
          responses: {
            '200': { description: 'The file.', content: Object.fromEntries(Object.values(ACTIVITY_ASSET_TYPES).map((type) => [type.split(';')[0]!, { schema: { type: 'string' } }])) },
            '308': {
              description: 'No name (`/api/activity/`): the page is at `/api/activity`, without the slash, where its files resolve.',
              headers: { Location: { description: 'The page.', required: true, schema: { type: 'string' } } },
            },
            '400': badRequest,
            '404': problemResponse('The page has no file of that name.'),
          },
        },
      },
      '/api/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          tags: [TAGS.page],
          summary: 'This document.',
          security: [],
          responses: { '200': jsonResponse('The OpenAPI 3.1 document.', { type: 'object' }) },
        },
      },
      '/admin/functions/applyRetention': runTimerNow('runApplyRetention', 'the retention timer', TAGS.erasure),
      '/admin/functions/rollUpStatistics': runTimerNow('runRollUpStatistics', 'the statistics roll-up', TAGS.statistics),
      '/admin/functions/syncSuppressionList': runTimerNow('runSyncSuppressionList', "the suppression list's sync into ACS", TAGS.suppression),
      '/runtime/webhooks/eventgrid': {
        post: {
          operationId: 'eventGridWebhook',
          tags: [TAGS.ingest],
          summary: 'Where Event Grid delivers ACS Email events (the Functions host route; Event Grid calls it with the system key).',
          security: systemKeyed,
          parameters: [
            { name: 'functionName', in: 'query', required: true, schema: { type: 'string', enum: ['emailDeliveryReport', 'emailEngagementReport'] } },
            { name: 'aeg-event-type', in: 'header', required: true, schema: { type: 'string', enum: ['Notification', 'SubscriptionValidation', 'Unsubscribe'] } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  description: `An array of events (or one), Event Grid schema or CloudEvents 1.0, of the types ${EMAIL_EVENT_TYPES.join(' and ')}.`,
                  oneOf: [{ type: 'array', items: { type: 'object' } }, { type: 'object' }],
                },
              },
            },
          },
          responses: {
            // Not jsonResponse: the handshake's answer is the host's (the local host's, locally), and holds no personal data.
            '200': { description: 'The validation handshake answer.', content: { 'application/json': { schema: object({ validationResponse: { type: 'string' } }) } } },
            '202': { description: 'Every event was handled: stored, a duplicate, or quarantined.' },
            '400': problemResponse('The body is not JSON, or the aeg-event-type header is missing.'),
            '404': problemResponse('No Event Grid function has that name.'),
            '413': problemResponse('The body is larger than the host takes, or holds more events than Event Grid sends at once; Event Grid dead-letters the delivery.'),
            '417': problemResponse('An Expect header other than 100-continue.'),
            '431': problemResponse('The request headers are too large to read.'),
            '500': problemResponse('An event could not be stored; Event Grid retries the delivery.'),
          },
        },
      },
    })),
  };
}
