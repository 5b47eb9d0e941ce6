import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { registerHttpFunction } from '../registry.js';

/**
 * GET /api/activity: the activity page, for people who would rather look than read JSON. Anonymous: the
 * page holds no data, and its script asks for a function key when the API wants one. The page's module
 * is imported on the first request, so the other functions' cold start pays nothing for it.
 */
export async function getActivityPage(request: HttpRequest): Promise<HttpResponseInit> {
  const { activityPageResponse } = await import('../web/activityPage.js');
  return activityPageResponse(new URL(request.url).pathname);
}

registerHttpFunction('getActivityPage', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'activity',
  handler: getActivityPage,
});
