import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { jsonAnswer } from '../http/jsonRoute.js';
import { registerHttpFunction } from '../registry.js';

/** GET /api/openapi.json: the OpenAPI 3.1 document of every HTTP route. Built on first request, so start-up pays nothing for it. */
export async function getOpenApi(_request: HttpRequest): Promise<HttpResponseInit> {
  const { openApiDocument } = await import('../http/openApi.js');
  return jsonAnswer(openApiDocument());
}

registerHttpFunction('getOpenApi', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'openapi.json',
  handler: getOpenApi,
});
