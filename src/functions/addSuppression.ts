import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { appSettings } from '../settings.js';
import { eventStore } from './onFirstUse.js';

/**
 * PUT /api/suppressions/{address} with `{"note": "…"}`: adds the address by hand, recording who, when
 * and why; answers its entry. The permission of erasure (access: change), not the permission to read.
 */
export const addSuppression = jsonRoute({
  access: 'change',
  parse: async (request) => {
    const { changeRequest, parseAddRequest } = await import('../http/suppressionRequests.js');
    return changeRequest(request, parseAddRequest(request.params.address ?? '', await request.text()));
  },
  read: async ({ caller, ...change }) =>
    (await import('../suppression/api.js')).addByHand(await eventStore(), change, caller, new Date(), appSettings().suppression.list !== undefined),
  notFound: 'The address could not be added.',
  failure: 'Adding to the suppression list',
  unavailable: 'The address could not be added. Try again: adding again records the note again, and changes nothing else.',
  logFields: ({ caller }) => ({ changedBy: caller.kind }),
});

registerApiFunction('addSuppression', {
  methods: ['PUT'],
  route: 'suppressions/{address}',
  handler: addSuppression,
});
