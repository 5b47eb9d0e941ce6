import { jsonRoute } from '../http/jsonRoute.js';
import { registerHttpFunction } from '../registry.js';
import { appSettings } from '../settings.js';
import { eventStore } from './onFirstUse.js';

/**
 * PUT /api/suppressions/{address} with `{"note": "…"}`: adds the address by hand, recording who, when
 * and why; answers its entry. The permission of erasure (admin), not the permission to read.
 */
export const addSuppression = jsonRoute({
  parse: async (request) => {
    const [{ parseAddRequest }, { callerOf }] = await Promise.all([import('../http/suppressionRequests.js'), import('../auth/caller.js')]);
    const parsed = parseAddRequest(request.params.address ?? '', await request.text());
    return parsed.ok ? { ok: true, query: { ...parsed.query, caller: callerOf(request) } } : parsed;
  },
  read: async ({ caller, ...change }) =>
    (await import('../suppression/api.js')).addByHand(await eventStore(), change, caller, new Date(), appSettings().suppression.list !== undefined),
  notFound: 'The address could not be added.',
  failure: 'Adding to the suppression list',
  unavailable: 'The address could not be added. Try again: adding again records the note again, and changes nothing else.',
  logFields: ({ caller }) => ({ changedBy: caller.kind }),
});

registerHttpFunction('addSuppression', {
  methods: ['PUT'],
  authLevel: 'admin',
  route: 'suppressions/{address}',
  handler: addSuppression,
});
