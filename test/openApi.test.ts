/** The OpenAPI document: valid OpenAPI 3.1 by a standard validator, served by the app, and covering every HTTP route. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { routesOf } from '../scripts/localHost.js';
import { registeredFunctions } from '../src/registry.js';
import { call } from './http.js';

describe('GET /api/openapi.json', () => {
  it('serves a valid OpenAPI 3.1 document', async () => {
    const { status, body } = await call('getOpenApi', {});
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route the app registers, with its methods, and nothing else', async () => {
    const { body } = await call('getOpenApi', {});
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const registered = routesOf(registeredFunctions())
      .flatMap((route) => route.methods.map((method) => `${method} ${route.path.replace(/\?.*$/, '')}`))
      .filter((route, i, all) => all.indexOf(route) === i)
      .sort();
    expect(documented).toEqual(registered);
  });
});
