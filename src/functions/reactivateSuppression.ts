import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { appSettings } from '../settings.js';
import { eventStore } from './onFirstUse.js';

/**
 * DELETE /api/suppressions/{address}?reason=…: reactivates the address (takes it off the list, here
 * and, through the sync, in ACS), recording who, when and why; answers its entry. The entry and its
 * history stay. The permission of erasure (access: change).
 */
export const reactivateSuppression = jsonRoute({
  access: 'change',
  parse: async (request) => {
    const { changeRequest, parseReactivateRequest } = await import('../http/suppressionRequests.js');
    return changeRequest(request, parseReactivateRequest(request.params.address ?? '', request.query));
  },
  read: async ({ caller, ...change }) =>
    (await import('../suppression/api.js')).reactivate(await eventStore(), change, caller, new Date(), appSettings().suppression.list !== undefined),
  notFound: 'The address is not on the suppression list and never was.',
  failure: 'Reactivating the address',
  unavailable: 'The address could not be reactivated. Try again.',
  logFields: ({ caller }, body) => ({ changedBy: caller.kind, ...(body ? { state: body.state } : {}) }),
});

registerApiFunction('reactivateSuppression', {
  methods: ['DELETE'],
  route: 'suppressions/{address}',
  handler: reactivateSuppression,
});
