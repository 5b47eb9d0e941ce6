import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';

/** GET /api/messages/{messageId}: what happened to the message, and its events oldest first, a page at a time. */
export const getMessageStatus = jsonRoute({
  access: 'read',
  parse: async (request) => (await import('../http/statusRequest.js')).parseStatusRequest(request.params.messageId ?? '', request.query),
  read: async (query) => {
    const events = await (await eventStore()).messageEvents(query.messageId);
    if (events.length === 0) return undefined;
    const [{ messageStatusBody }, { encodePageToken }] = await Promise.all([import('../status/messageStatus.js'), import('../http/pageToken.js')]);
    return messageStatusBody(query.messageId, events, query, (last) => encodePageToken(query.messageId, last));
  },
  notFound: 'No events have been recorded for this message id.',
  failure: 'Reading the message status',
  unavailable: 'The message status could not be read. Try again.',
  logFields: (query, body) => ({ messageId: query.messageId, ...(body ? { returned: body.events.length } : {}) }),
});

registerApiFunction('getMessageStatus', {
  methods: ['GET'],
  route: 'messages/{messageId}',
  handler: getMessageStatus,
});
