import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { appSettings } from '../settings.js';
import { eventStore } from './onFirstUse.js';

/** GET /api/recipients/{address}: what is known about an address, across every message sent to it, and its suppression entry. */
export const getRecipient = jsonRoute({
  access: 'read',
  parse: async (request) => (await import('../http/lookupRequests.js')).parseAddress(request.params.address ?? ''),
  // Loaded on the first request: the Functions host loads every function file at start-up.
  read: async (address) => (await import('../suppression/api.js')).recipientWithSuppression(await eventStore(), address, appSettings().suppression.list !== undefined),
  notFound: 'No event has named this address, and it is not on the suppression list.',
  failure: 'Reading the address',
  unavailable: 'The address could not be read. Try again.',
  logFields: (_address, body) => (body ? { messages: body.messages.total } : {}),
});

registerApiFunction('getRecipient', {
  methods: ['GET'],
  route: 'recipients/{address}',
  handler: getRecipient,
});
