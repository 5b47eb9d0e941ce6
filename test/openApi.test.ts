/**
 * The OpenAPI document: valid OpenAPI 3.1 by a standard validator, clean by two linters the project did
 * not write, served by the app, and covering every HTTP route.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalHost, routesOf } from '../scripts/localHost.js';
import { KNOWN_DELIVERY_STATUSES } from '../src/events/emailEvent.js';
import { parseRecipientMessagesRequest } from '../src/http/lookupRequests.js';
import { registeredFunctions } from '../src/registry.js';
import { call } from './http.js';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

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

  it('declares a 401 wherever a key is asked for, since the Functions host answers it before the app', async () => {
    const { body } = await call('getOpenApi', {});
    const operations = Object.entries(body.paths as Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, ...operation })),
    );
    const keyed = operations.filter((operation) => operation.security.length > 0);
    expect(keyed.map((operation) => operation.route)).toContain('POST /runtime/webhooks/eventgrid');
    for (const operation of keyed) expect(Object.keys(operation.responses), operation.route).toContain('401');
    for (const operation of operations.filter((operation) => operation.security.length === 0)) expect(Object.keys(operation.responses), operation.route).not.toContain('401');
  });
});

describe("the status filter's schema", () => {
  const statusSchema = async () => {
    const { body } = await call('getOpenApi', {});
    const parameters = body.paths['/api/recipients/{address}/messages'].get.parameters as { name: string; schema: { pattern?: string; enum?: unknown } }[];
    const { schema } = parameters.find((parameter) => parameter.name === 'status')!;
    expect(schema).not.toHaveProperty('enum');
    return new RegExp(schema.pattern!);
  };
  const accepted = (status: string) => parseRecipientMessagesRequest('sam@northwind.example', new URLSearchParams({ status })).ok;

  it('takes the documented statuses in any case, as the server does', async () => {
    const pattern = await statusSchema();
    for (const status of ['bounced', 'BOUNCED', ' FilteredSpam ', 'filteredspam']) {
      expect(accepted(status), status).toBe(true);
      expect(pattern.test(status), status).toBe(true);
    }
  });

  it('takes exactly what the server takes, for any string', async () => {
    const pattern = await statusSchema();
    const casedStatus = fc
      .tuple(fc.constantFrom(...KNOWN_DELIVERY_STATUSES), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.constantFrom('', ' ', '\t', 'x', 's'), fc.constantFrom('', ' ', '\n', 'x'))
      .map(([status, upper, before, after]) => before + [...status].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('') + after);
    fc.assert(
      fc.property(fc.oneof(casedStatus, fc.string()), (status) => {
        expect(pattern.test(status)).toBe(accepted(status));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the served document, linted by tools the project did not write', () => {
  const host = createLocalHost(registeredFunctions(), () => {});
  let documentUrl = '';
  beforeAll(async () => {
    await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
    documentUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/api/openapi.json`;
  });
  afterAll(() => new Promise<void>((closed) => host.close(() => closed())));

  /**
   * Runs a package's command-line tool from the project root (where its config file is), offline, and
   * resolves with the JSON report it printed; a tool that printed none fails with what it said instead.
   */
  async function report<T>(packageName: string, bin: string, args: string[]): Promise<T> {
    const manifest = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
    const script = join(dirname(manifest), (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin[bin]!);
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
    // A finding exits 1; what it found is the report, which the assertions show.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...args], { cwd: projectRoot, env, maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout?: string; stderr?: string; message: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? error.message }),
    );
    try {
      return JSON.parse(stdout) as T;
    } catch {
      throw new Error(`${bin} printed no report: ${stderr.slice(-2000)}`);
    }
  }

  it("passes Redocly's recommended rules (redocly.yaml) and Spectral's spectral:oas (.spectral.yaml), with nothing to report", async () => {
    const [redocly, spectral] = await Promise.all([
      report<{ totals: Record<string, number>; problems: { ruleId: string; message: string; location: unknown }[] }>('@redocly/cli', 'redocly', ['lint', documentUrl, '--config', 'redocly.yaml', '--format', 'json']),
      report<{ code: string; message: string; path: string[] }[]>('@stoplight/spectral-cli', 'spectral', ['lint', documentUrl, '--ruleset', '.spectral.yaml', '--format', 'json', '--quiet']),
    ]);
    expect(redocly.problems.map(({ ruleId, message, location }) => ({ ruleId, message, location }))).toEqual([]);
    expect(redocly.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(spectral.map(({ code, message, path }) => ({ code, message, path: path.join('.') }))).toEqual([]);
    // Two Node processes starting: about 2 s on a quiet machine, 7 s on a busy 2-core one.
  }, 60_000);
});
