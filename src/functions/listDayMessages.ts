import { jsonRoute } from '../http/jsonRoute.js';
import { registerApiFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';

/** GET /api/messages?day=: a day's messages, each counted as that day's statistics count it, a page at a time. */
export const listDayMessages = jsonRoute({
  access: 'read',
  parse: async (request) => (await import('../http/statsRequest.js')).parseDayMessagesRequest(request.query, new Date().toISOString().slice(0, 10)),
  read: async (query) => {
    const [{ readDayMessages }, { encodeDayMessagesToken }] = await Promise.all([import('../stats/dayMessageList.js'), import('../http/statsRequest.js')]);
    const page = await readDayMessages(await eventStore(), query);
    const { limit: _limit, from: _from, ...filters } = query;
    return { day: query.day, messages: page.messages, ...(page.next === undefined ? {} : { nextPageToken: encodeDayMessagesToken(filters, page.next) }) };
  },
  notFound: 'No messages.',
  failure: "Listing the day's messages",
  unavailable: "The day's messages could not be read. Try again.",
  logFields: (query, body) => ({ day: query.day, limit: query.limit, ...(query.status ? { status: query.status } : {}), ...(body ? { returned: body.messages.length } : {}) }),
});

registerApiFunction('listDayMessages', {
  methods: ['GET'],
  route: 'messages',
  handler: listDayMessages,
});
