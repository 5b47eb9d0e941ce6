/**
 * Checks real responses against the app's OpenAPI document (src/http/openApi.ts), with a standard
 * JSON Schema 2020-12 validator: OpenAPI 3.1 schemas are JSON Schema.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { openApiDocument } from '../src/http/openApi.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(openApiDocument(), 'openapi');

const pointer = (...segments: string[]) => segments.map((segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

/** Asserts that `body`, answered with `status` by `method path`, is what the document says that answer is. */
export function expectMatchesOpenApi(path: string, method: string, status: number, contentType: string, body: unknown): void {
  const ref = `openapi#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', contentType, 'schema')}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `${method} ${path} → ${status} against the OpenAPI document`).toEqual([]);
}
