import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';

/** GET /api/recipients/{address}/messages: the messages sent to an address, newest first, a page at a time. */
export const listRecipientMessages = jsonRoute({
  access: 'read',
  parse: async (request) => (await import('../http/lookupRequests.js')).parseRecipientMessagesRequest(request.params.address ?? '', request.query),
  read: async (query) => {
    const [{ recipientMessagesPage }, { encodeRecipientPageToken }] = await Promise.all([import('../storage/lookups.js'), import('../http/lookupRequests.js')]);
    const page = await recipientMessagesPage(await eventStore(), query);
    if (page === undefined) return undefined;
    return { messages: page.messages, ...(page.next === undefined ? {} : { nextPageToken: encodeRecipientPageToken(query, page.next) }) };
  },
  notFound: 'No event has named this address.',
  failure: "Reading the address's messages",
  unavailable: "The address's messages could not be read. Try again.",
  logFields: (query, body) => ({ limit: query.limit, ...(body ? { returned: body.messages.length } : {}) }),
});

registerApiFunction('listRecipientMessages', {
  methods: ['GET'],
  route: 'recipients/{address}/messages',
  handler: listRecipientMessages,
});
