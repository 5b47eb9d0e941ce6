import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';

/** GET /api/stats: deliverability per day (or hour) for a range of days, for every sender or one. */
export const getStatistics = jsonRoute({
  access: 'read',
  parse: async (request) => (await import('../http/statsRequest.js')).parseStatsRequest(request.query, new Date().toISOString().slice(0, 10)),
  read: async (query) => (await import('../stats/statistics.js')).readStatistics(await eventStore(), query, new Date()),
  notFound: 'No statistics.',
  failure: 'Reading the statistics',
  unavailable: 'The statistics could not be read. Try again.',
  logFields: (query, body) => ({ from: query.from, to: query.to, granularity: query.granularity, ...(body ? { live: body.buckets.filter((bucket) => bucket.source === 'live').length } : {}) }),
});

registerApiFunction('getStatistics', {
  methods: ['GET'],
  route: 'stats',
  handler: getStatistics,
});
