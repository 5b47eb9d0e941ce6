import { eraseRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';

/** DELETE /api/messages/{messageId}: erases the message and every index row of it; 204 also when nothing was left. */
export const eraseMessage = eraseRoute({
  access: 'change',
  parse: async (request) => (await import('../http/statusRequest.js')).parseStatusRequest(request.params.messageId ?? '', new URLSearchParams()),
  erase: async (query, caller) => (await import('../retention/retention.js')).eraseMessage(await eventStore(), query.messageId, new Date(), caller),
  failure: 'Erasing the message',
  unavailable: 'The message could not be erased. Try again: erasing is idempotent.',
  logFields: (query) => ({ messageId: query.messageId }),
});

registerApiFunction('eraseMessage', {
  methods: ['DELETE'],
  route: 'messages/{messageId}',
  handler: eraseMessage,
});
