import { eraseRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';

/**
 * DELETE /api/recipients/{address}: erases every event and index row that names the address (other
 * recipients of the same messages keep theirs); 204 also when nothing was left.
 */
export const eraseRecipient = eraseRoute({
  access: 'change',
  parse: async (request) => (await import('../http/lookupRequests.js')).parseAddress(request.params.address ?? ''),
  erase: async (address, caller) => (await import('../retention/retention.js')).eraseRecipient(await eventStore(), address, new Date(), caller),
  failure: 'Erasing the address',
  unavailable: 'The address could not be erased. Try again: erasing is idempotent.',
  logFields: () => ({}),
});

registerApiFunction('eraseRecipient', {
  methods: ['DELETE'],
  route: 'recipients/{address}',
  handler: eraseRecipient,
});
