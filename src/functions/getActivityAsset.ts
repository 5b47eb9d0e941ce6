import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { registerHttpFunction } from '../registry.js';

/** GET /api/activity/{asset}: the activity page's script, stylesheet and icon (app.js, app.css, icon.svg), loaded on the first request like the page. */
export async function getActivityAsset(request: HttpRequest): Promise<HttpResponseInit> {
  const { activityAssetResponse } = await import('../web/activityPage.js');
  return activityAssetResponse(request.params.asset ?? '', new URL(request.url).pathname);
}

registerHttpFunction('getActivityAsset', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'activity/{asset}',
  handler: getActivityAsset,
});
