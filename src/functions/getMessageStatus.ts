import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { errorFacts } from '../errors.js';
import { defaultEventStore } from '../storage/eventStore.js';
import { messageStatusBody } from '../status/messageStatus.js';
import { encodePageToken } from '../http/pageToken.js';
import { problemResponse } from '../http/problem.js';
import { registerHttpFunction } from '../registry.js';
import { isProblem, parseStatusRequest } from '../http/statusRequest.js';

/** GET /api/messages/{messageId}: what happened to the message, and its events oldest first, a page at a time. */
export async function getMessageStatus(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const instance = new URL(request.url).pathname;
  const query = parseStatusRequest(request.params.messageId ?? '', request.query);
  if (isProblem(query)) return problemResponse(query, instance);
  try {
    const events = await defaultEventStore().messageEvents(query.messageId);
    if (events.length === 0) {
      return problemResponse({ status: 404, title: 'Not Found', detail: 'No events have been recorded for this message id.' }, instance);
    }
    const body = messageStatusBody(query.messageId, events, query, (last) => encodePageToken(query.messageId, last));
    context.info('Message status served.', { messageId: query.messageId, events: events.length, returned: body.events.length });
    return { status: 200, jsonBody: body };
  } catch (error) {
    context.error('Reading the message status failed.', { messageId: query.messageId, ...errorFacts(error) });
    return problemResponse({ status: 500, title: 'Internal Server Error', detail: 'The message status could not be read. Try again.' }, instance);
  }
}

registerHttpFunction('getMessageStatus', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'messages/{messageId}',
  handler: getMessageStatus,
});
