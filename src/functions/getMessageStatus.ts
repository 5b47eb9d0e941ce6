import { encodePageToken } from '../http/pageToken.js';
import { jsonRoute } from '../http/jsonRoute.js';
import { parseStatusRequest } from '../http/statusRequest.js';
import { registerHttpFunction } from '../registry.js';
import { messageStatusBody } from '../status/messageStatus.js';
import { defaultEventStore } from '../storage/eventStore.js';

/** GET /api/messages/{messageId}: what happened to the message, and its events oldest first, a page at a time. */
export const getMessageStatus = jsonRoute({
  parse: (request) => parseStatusRequest(request.params.messageId ?? '', request.query),
  read: async (query) => {
    const events = await defaultEventStore().messageEvents(query.messageId);
    if (events.length === 0) return undefined;
    return messageStatusBody(query.messageId, events, query, (last) => encodePageToken(query.messageId, last));
  },
  notFound: 'No events have been recorded for this message id.',
  failure: 'Reading the message status',
  unavailable: 'The message status could not be read. Try again.',
  logFields: (query, body) => ({ messageId: query.messageId, ...(body ? { returned: body.events.length } : {}) }),
});

registerHttpFunction('getMessageStatus', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'messages/{messageId}',
  handler: getMessageStatus,
});
