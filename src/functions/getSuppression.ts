import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { appSettings } from '../settings.js';
import { eventStore } from './onFirstUse.js';

/** GET /api/suppressions/{address}: the address's entry in the suppression list, with every change to it. */
export const getSuppression = jsonRoute({
  access: 'read',
  parse: async (request) => (await import('../http/lookupRequests.js')).parseAddress(request.params.address ?? ''),
  read: async (address) => (await import('../suppression/api.js')).entryBody(await eventStore(), address, appSettings().suppression.list !== undefined),
  notFound: 'The address is not on the suppression list and never was.',
  failure: 'Reading the suppression entry',
  unavailable: 'The suppression entry could not be read. Try again.',
  logFields: (_address, body) => (body ? { state: body.state, changes: body.changes.length } : {}),
});

registerApiFunction('getSuppression', {
  methods: ['GET'],
  route: 'suppressions/{address}',
  handler: getSuppression,
});
