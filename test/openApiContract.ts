/**
 * Checks real responses against the app's OpenAPI document (src/http/openApi.ts), with a standard
 * JSON Schema 2020-12 validator: OpenAPI 3.1 schemas are JSON Schema.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { openApiDocument } from '../src/http/openApi.js';

const document = openApiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(document, 'openapi');

const pointer = (...segments: string[]) => segments.map((segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

/** Asserts that `body`, answered with `status` by `method path`, is what the document says that answer is. */
export function expectMatchesOpenApi(path: string, method: string, status: number, contentType: string, body: unknown): void {
  const ref = `openapi#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', contentType, 'schema')}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `${method} ${path} → ${status} against the OpenAPI document`).toEqual([]);
}

interface DeclaredHeader {
  required?: boolean;
  schema: unknown;
}

/** The headers the document declares for an answer, by their lowercase names, with `$ref`s resolved. */
function declaredHeaders(path: string, method: string, status: number): Map<string, DeclaredHeader> {
  const operation = (document.paths as Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>)[path]?.[method.toLowerCase()];
  const response = operation?.responses[String(status)];
  expect(response, `${method} ${path} declares ${status}`).toBeDefined();
  const components = (document.components as { headers: Record<string, DeclaredHeader> }).headers;
  return new Map(
    Object.entries(response?.headers ?? {}).map(([name, header]) => {
      const target = (header as { $ref?: string }).$ref;
      return [name.toLowerCase(), target ? components[target.replace('#/components/headers/', '')]! : (header as DeclaredHeader)];
    }),
  );
}

/** Asserts that the answer carries every header the document says it always does, each as its schema says. */
export function expectHeadersMatchOpenApi(path: string, method: string, status: number, headers: Record<string, string>): void {
  const answered = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  for (const [name, header] of declaredHeaders(path, method, status)) {
    const value = answered.get(name);
    if (value === undefined) {
      expect(header.required ?? false, `${method} ${path} → ${status} carries ${name}`).toBe(false);
      continue;
    }
    const validate = ajv.compile(header.schema as object);
    expect(validate(value) ? [] : validate.errors, `${method} ${path} → ${status}: ${name}: ${value}`).toEqual([]);
  }
}
