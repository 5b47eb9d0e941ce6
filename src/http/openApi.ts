/**
 * The OpenAPI 3.1 document of the app's HTTP API, served at GET /api/openapi.json. Built from the
 * constants the code uses (page sizes, statuses, content types), so that it cannot drift from them;
 * the tests validate it and check every integration test's real responses against its schemas.
 */
import { DELIVERY_REPORT_EVENT_TYPE, EMAIL_EVENT_TYPES, ENGAGEMENT_REPORT_EVENT_TYPE, KNOWN_DELIVERY_STATUSES } from '../events/emailEvent.js';
import { DEFAULT_RECIPIENT_PAGE_SIZE, MAX_LOOKUP_VALUE_LENGTH } from './lookupRequests.js';
import { CSV_TYPE, DEFAULT_SUPPRESSION_PAGE_SIZE, MAX_NOTE_LENGTH, SUPPRESSION_REASONS, SUPPRESSION_STATES } from './suppressionRequests.js';
import { CSV_COLUMNS } from '../suppression/csv.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './statusRequest.js';
import { MAX_KEY_LENGTH } from '../storage/tableLimits.js';
import { ACTIVITY_ASSET_TYPES, ACTIVITY_PAGE_TYPE } from '../web/assets.js';

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });
const timestamp = { type: ['string', 'null'], description: 'UTC, ISO 8601 with the fraction digits ACS sent.', examples: ['2026-11-27T09:15:01.9731425Z'] };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const object = (properties: Record<string, unknown>, optional: string[] = []) => ({
  type: 'object',
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
  properties,
  additionalProperties: false,
});

const problemResponse = (description: string) => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } } });
const jsonResponse = (description: string, schema: unknown) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  '400': problemResponse('A bad parameter; `parameter` names it.'),
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
      parameter: { type: 'string', description: 'The parameter at fault (400).' },
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
          truncatedFields: { type: 'array', items: { type: 'string' } },
        },
        ['truncatedFields'],
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
      byStatus: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 } },
    }),
    latestFailure: { oneOf: [ref('DeliveryOutcome'), { type: 'null' }], description: 'The latest report whose status is Bounced or Failed.' },
    suppression: { oneOf: [ref('SuppressionEntry'), { type: 'null' }], description: 'The address\'s entry in the suppression list, or null.' },
    engagement: object({
      views: { type: 'integer', minimum: 0 },
      clicks: { type: 'integer', minimum: 0 },
      latest: {
        oneOf: [
          object({ messageId: { type: 'string' }, engagementType: nullable('string'), engagementContext: nullable('string'), occurredAt: timestamp }),
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
  RecipientMessages: object({ messages: { type: 'array', items: ref('RecipientMessage') }, nextPageToken: { type: 'string' } }, ['nextPageToken']),
  InternetMessageLookup: object({
    internetMessageId: { type: 'string' },
    messages: {
      type: 'array',
      minItems: 1,
      items: object({ messageId: { type: 'string' }, sender: nullable('string'), status: { type: 'string' }, recipients: { type: 'array', items: ref('RecipientStatus') } }),
    },
  }),
};

const keyed = [{ functionKey: [] }, { functionKeyQuery: [] }];
const adminKeyed = [{ adminKey: [] }];
const erased = {
  '204': { description: 'Erased, or nothing was left to erase. Applied again after Event Grid\'s 24-hour retry window.' },
  '400': errors['400'],
  '500': errors['500'],
};

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'ACS Email Status',
      version: '1.0.0',
      description: 'What happened to an email sent with Azure Communication Services: by message, by address, by Internet Message-ID.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas,
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'A function key (not needed locally).' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
        adminKey: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'The host master (admin) key (not needed locally).' },
      },
    },
    paths: {
      '/api/messages/{messageId}': {
        get: {
          operationId: 'getMessageStatus',
          summary: "A message's status, recipients, engagement and events, oldest first, a page at a time.",
          security: keyed,
          parameters: [pathParameter('messageId', 'The ACS messageId.', MAX_KEY_LENGTH), limitParameter(DEFAULT_PAGE_SIZE), pageTokenParameter],
          responses: { '200': jsonResponse('The message.', ref('MessageStatus')), ...errors },
        },
        delete: {
          operationId: 'eraseMessage',
          summary: 'Erases the message: its events and every index row of it.',
          security: adminKeyed,
          parameters: [pathParameter('messageId', 'The ACS messageId.', MAX_KEY_LENGTH)],
          responses: erased,
        },
      },
      '/api/recipients/{address}': {
        get: {
          operationId: 'getRecipient',
          summary: 'What is known about an address across every message sent to it.',
          security: keyed,
          parameters: [addressParameter],
          responses: { '200': jsonResponse('The address.', ref('RecipientSummary')), ...errors },
        },
        delete: {
          operationId: 'eraseRecipient',
          summary: 'Erases every event and index row that names the address, and its suppression entry (the sync then takes it off the ACS list); other recipients keep theirs.',
          security: adminKeyed,
          parameters: [addressParameter],
          responses: erased,
        },
      },
      '/api/suppressions': {
        get: {
          operationId: 'listSuppressions',
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
          summary: "An address's suppression entry, with every change to it: who, when, why.",
          security: keyed,
          parameters: [addressParameter],
          responses: { '200': jsonResponse('The entry.', ref('SuppressionEntryWithHistory')), ...errors, '404': problemResponse('The address is not on the list and never was.') },
        },
        put: {
          operationId: 'addSuppression',
          summary: 'Adds an address by hand, with a note; the caller and the time are recorded. Adding it again records the note again.',
          security: adminKeyed,
          parameters: [addressParameter],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: object({ note: { type: 'string', minLength: 1, maxLength: MAX_NOTE_LENGTH, description: 'Why the address is added.' } }) } },
          },
          responses: { '200': jsonResponse('The entry, suppressed.', ref('SuppressionEntryWithHistory')), '400': errors['400'], '500': errors['500'] },
        },
        delete: {
          operationId: 'reactivateSuppression',
          summary: 'Reactivates an address: takes it off the list (and, through the sync, off the ACS list); the caller, the time and the reason are recorded, and the history stays. A later suppressing report suppresses it again.',
          security: adminKeyed,
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
          summary: "The messages sent to an address, newest attempt first, each with this address's own status.",
          security: keyed,
          parameters: [
            addressParameter,
            limitParameter(DEFAULT_RECIPIENT_PAGE_SIZE),
            pageTokenParameter,
            { name: 'status', in: 'query', description: 'Only messages whose latest report for the address has this status (any case).', schema: { type: 'string', enum: [...KNOWN_DELIVERY_STATUSES] } },
            { name: 'since', in: 'query', description: 'Only messages attempted at or after this instant: ISO 8601 with its offset (Z or ±hh:mm), up to 9 fraction digits.', schema: { type: 'string' } },
            { name: 'until', in: 'query', description: 'Only messages attempted at or before this instant: ISO 8601 with its offset (Z or ±hh:mm), up to 9 fraction digits.', schema: { type: 'string' } },
          ],
          responses: { '200': jsonResponse('One page of messages.', ref('RecipientMessages')), ...errors },
        },
      },
      '/api/internet-messages/{internetMessageId}': {
        get: {
          operationId: 'getInternetMessage',
          summary: 'The message(s) that carry an Internet Message-ID (with or without its <>).',
          security: keyed,
          parameters: [pathParameter('internetMessageId', 'A Message-ID header value.', MAX_LOOKUP_VALUE_LENGTH)],
          responses: { '200': jsonResponse('The message(s).', ref('InternetMessageLookup')), ...errors },
        },
      },
      '/api/activity': {
        get: {
          operationId: 'getActivityPage',
          summary: 'The activity page: search by message ID, address or Message-ID header, and see what happened (a page for people; it calls the API above).',
          security: [],
          responses: { '200': { description: 'The page.', content: { [ACTIVITY_PAGE_TYPE.split(';')[0]!]: { schema: { type: 'string' } } } } },
        },
      },
      '/api/activity/{asset}': {
        get: {
          operationId: 'getActivityAsset',
          summary: "The activity page's script, stylesheet and icon.",
          security: [],
          parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string', enum: Object.keys(ACTIVITY_ASSET_TYPES) } }],
          responses: {
            '200': { description: 'The file.', content: Object.fromEntries(Object.values(ACTIVITY_ASSET_TYPES).map((type) => [type.split(';')[0]!, { schema: { type: 'string' } }])) },
            '404': problemResponse('The page has no file of that name.'),
          },
        },
      },
      '/api/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document.',
          security: [],
          responses: { '200': jsonResponse('The OpenAPI 3.1 document.', { type: 'object' }) },
        },
      },
      '/admin/functions/applyRetention': {
        post: {
          operationId: 'runApplyRetention',
          summary: "Runs the retention timer now (the Functions host's admin call).",
          security: adminKeyed,
          requestBody: { required: true, content: { 'application/json': { schema: object({ input: { type: 'string' } }) } } },
          responses: { '202': { description: 'The run has started; its summary goes to the log.' } },
        },
      },
      '/admin/functions/syncSuppressionList': {
        post: {
          operationId: 'runSyncSuppressionList',
          summary: "Runs the suppression list's sync into ACS now (the Functions host's admin call).",
          security: adminKeyed,
          requestBody: { required: true, content: { 'application/json': { schema: object({ input: { type: 'string' } }) } } },
          responses: { '202': { description: 'The run has started; its summary goes to the log.' } },
        },
      },
      '/runtime/webhooks/eventgrid': {
        post: {
          operationId: 'eventGridWebhook',
          summary: 'Where Event Grid delivers ACS Email events (the Functions host route; Event Grid calls it with the system key).',
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
            '200': jsonResponse('The validation handshake answer.', object({ validationResponse: { type: 'string' } })),
            '202': { description: 'Every event was handled: stored, a duplicate, or quarantined.' },
            '400': problemResponse('The body is not JSON, or the aeg-event-type header is missing.'),
            '404': problemResponse('No Event Grid function has that name.'),
            '500': problemResponse('An event could not be stored; Event Grid retries the delivery.'),
          },
        },
      },
    },
  };
}
