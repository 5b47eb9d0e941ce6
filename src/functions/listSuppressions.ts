import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { appSettings } from '../settings.js';
import { eventStore } from './onFirstUse.js';

/** GET /api/suppressions: the suppression list, newest change first, a page at a time, as JSON or CSV. */
export const listSuppressions = jsonRoute({
  access: 'read',
  parse: async (request) => (await import('../http/suppressionRequests.js')).parseSuppressionListRequest(request.query, request.headers.get('accept')),
  read: async (query) => (await import('../suppression/api.js')).suppressionListBody(await eventStore(), query, appSettings().suppression.list !== undefined),
  notFound: 'The suppression list is empty.',
  failure: 'Reading the suppression list',
  unavailable: 'The suppression list could not be read. Try again.',
  logFields: (query, body) => ({ limit: query.limit, format: query.format, ...(body ? { returned: body.entries.length } : {}) }),
  render: async (query, body, instance) => {
    if (query.format === 'json') return { status: 200, jsonBody: body };
    // The next page's link (RFC 8288), since a CSV body has no room for the token.
    const next = new URLSearchParams({ format: 'csv', limit: String(query.limit), ...(body.nextPageToken ? { pageToken: body.nextPageToken } : {}) });
    for (const [name, value] of Object.entries({ state: query.state ?? 'all', reason: query.reason, since: query.since, until: query.until })) if (value !== undefined) next.set(name, value);
    return {
      status: 200,
      headers: { 'content-type': 'text/csv; charset=utf-8', ...(body.nextPageToken ? { link: `<${instance}?${next}>; rel="next"` } : {}) },
      body: (await import('../suppression/csv.js')).entriesCsv(body.entries),
    };
  },
});

registerApiFunction('listSuppressions', {
  methods: ['GET'],
  route: 'suppressions',
  handler: listSuppressions,
});
