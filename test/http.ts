/** Calls the registered HTTP functions as the Functions host does, and checks each answer against the OpenAPI document. */
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import '../src/index.js';
import { registeredFunctions } from '../src/registry.js';
import { recordingContext, type LogLine } from './helpers.js';
import { expectHeadersMatchOpenApi, expectMatchesOpenApi } from './openApiContract.js';

export interface Answer {
  status: number;
  body: any;
  headers: Record<string, string>;
  logs: LogLine[];
}

/** Calls a registered HTTP function by its name (with its first method), with its route parameters, query, and a body or headers when given. */
export async function call(name: string, params: Record<string, string>, query: Record<string, string> = {}, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const registration = registeredFunctions().find((fn) => fn.name === name);
  if (registration?.trigger !== 'http') throw new Error(`${name} is not a registered HTTP function`);
  const route = registration.options.route!;
  const path = `/api/${route.replace(/\{(\w+)\}/g, (_, parameter: string) => encodeURIComponent(params[parameter] ?? ''))}`;
  const search = new URLSearchParams(query).toString();
  const method = registration.options.methods?.[0] ?? 'GET';
  const request = new HttpRequest({
    method,
    url: `http://localhost:7071${path}${search ? `?${search}` : ''}`,
    params,
    ...(init.headers ? { headers: init.headers } : {}),
    ...(init.body === undefined ? {} : { body: { string: init.body } }),
  });
  const { context, logs } = recordingContext(name);
  const response = (await registration.options.handler(request, context)) as HttpResponseInit;
  const headers = (response.headers ?? {}) as Record<string, string>;
  const status = response.status ?? 200;
  const contentType = headers['content-type'] ?? 'application/json';
  const isJson = /json/.test(contentType);
  const body = response.jsonBody ?? (typeof response.body === 'string' ? (isJson ? JSON.parse(response.body) : response.body) : undefined);
  if (body !== undefined) expectMatchesOpenApi(`/api/${route}`, method, status, contentType.split(';')[0]!, body);
  expectHeadersMatchOpenApi(`/api/${route}`, method, status, headers);
  return { status, body, headers, logs };
}
