import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';

/** GET /api/internet-messages/{internetMessageId}: the message(s) carrying a Message-ID header, with or without its <>. */
export const getInternetMessage = jsonRoute({
  access: 'read',
  parse: async (request) => (await import('../http/lookupRequests.js')).parseInternetMessageId(request.params.internetMessageId ?? ''),
  read: async (internetMessageId) => (await import('../storage/lookups.js')).internetMessageLookup(await eventStore(), internetMessageId),
  notFound: 'No delivery report has carried this Internet Message-ID.',
  failure: 'Reading the Internet Message-ID',
  unavailable: 'The Internet Message-ID could not be read. Try again.',
  logFields: (_id, body) => (body ? { messageIds: body.messages.map((message) => message.messageId) } : {}),
});

registerApiFunction('getInternetMessage', {
  methods: ['GET'],
  route: 'internet-messages/{internetMessageId}',
  handler: getInternetMessage,
});
