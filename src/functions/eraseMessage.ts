import { eraseRoute } from '../http/jsonRoute.js';
import { registerHttpFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';

/** DELETE /api/messages/{messageId}: erases the message and every index row of it; 204 also when nothing was left. */
export const eraseMessage = eraseRoute({
  parse: async (request) => (await import('../http/statusRequest.js')).parseStatusRequest(request.params.messageId ?? '', new URLSearchParams()),
  erase: async (query) => (await import('../retention/retention.js')).eraseMessage(await eventStore(), query.messageId, new Date()),
  failure: 'Erasing the message',
  unavailable: 'The message could not be erased. Try again: erasing is idempotent.',
  logFields: (query) => ({ messageId: query.messageId }),
});

registerHttpFunction('eraseMessage', {
  methods: ['DELETE'],
  authLevel: 'admin',
  route: 'messages/{messageId}',
  handler: eraseMessage,
});
