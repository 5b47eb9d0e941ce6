/**
 * A stand-in for Azure Resource Manager's ACS suppression list API and for the managed identity
 * endpoint that hands the app its token: ARM cannot run on a developer's machine, and the sync must be
 * tried with the real @azure/arm-communication client and the real @azure/identity credential.
 *
 * - ARM, over HTTPS (the SDK sends a bearer token over TLS only), with a self-signed certificate for
 *   localhost made with openssl on first use: `suppressionListAddresses` of API version 2025-09-01 as
 *   documented: PUT (201 new, 200 replaced; `properties.email` required), GET (200, 404), DELETE (200,
 *   204 when absent), and the list, a page of `pageSize` with `nextLink`. Every request needs
 *   `Authorization: Bearer <a token this stand-in issued>` (401) and `api-version=2025-09-01` (400),
 *   and names a list the stand-in holds (404 ParentResourceNotFound). `fail()` queues answers such as
 *   429 with Retry-After or 503, for the next requests.
 * - The App Service managed identity endpoint, over HTTP as in Azure (IDENTITY_ENDPOINT,
 *   IDENTITY_HEADER): GET ?api-version=2019-08-01&resource=… with X-IDENTITY-HEADER answers a token.
 *   GET /stand-in/addresses there shows what the lists hold.
 *
 * It keeps its list in memory. It is a stand-in: it checks the shapes and rules above, not ARM's
 * authorization (any token it issued is good for any list) nor the email service's own checks.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const ARM_API_VERSION = '2025-09-01';
export const IDENTITY_API_VERSION = '2019-08-01';
export const STAND_IN_LIST_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Communication/emailServices/local/domains/contoso.example/suppressionLists/default';
const ADDRESS_TYPE = 'Microsoft.Communication/emailServices/domains/suppressionLists/suppressionListAddresses';

export interface StoredAddress {
  email: string;
  firstName?: string;
  lastName?: string;
  notes?: string;
  lastModified: string;
}

export interface Fault {
  status: number;
  /** Seconds, for a 429 (or a 503) to carry in Retry-After. */
  retryAfter?: number;
}

export interface ArmStandInOptions {
  /** Folder of the self-signed certificate (made there on first use). */
  certificateDir: string;
  /** The lists it holds (resource ids); default: STAND_IN_LIST_ID. */
  lists?: string[];
  armPort?: number;
  identityPort?: number;
  /** Entries a list page holds before nextLink. */
  pageSize?: number;
  host?: string;
  /** The X-IDENTITY-HEADER value it asks for; default: a random one. */
  identityHeader?: string;
  /** Called with each ARM request's line (method, path, status): no address, which is in the body only. */
  log?: (line: string) => void;
}

export interface ArmStandIn {
  /** https://127.0.0.1:<port>: EmailEventsArmEndpoint. */
  armEndpoint: string;
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER for the app. */
  identityEndpoint: string;
  identityHeader: string;
  /** The certificate to trust (NODE_EXTRA_CA_CERTS, or the SDK's tlsOptions.ca). */
  certificatePath: string;
  certificate: string;
  /** The entries of a list, by addressId. */
  addresses(listId?: string): Map<string, StoredAddress>;
  /** Every request ARM answered: method, path (no query), status. */
  requests: { method: string; path: string; status: number }[];
  /** Answers the next requests to ARM with these faults, in order. */
  fail(...faults: Fault[]): void;
  close(): Promise<void>;
}

/** A certificate and key for localhost and 127.0.0.1, made with openssl once and kept in `dir`. */
export function standInCertificate(dir: string): { certPath: string; cert: string; key: string } {
  const certPath = join(dir, 'localhost.crt');
  const keyPath = join(dir, 'localhost.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '3650', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
        { stdio: 'ignore' },
      );
    } catch {
      throw new Error('The ARM stand-in needs openssl (on PATH) to make its localhost certificate once.');
    }
  }
  return { certPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

function json(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): number {
  if (body === undefined) response.writeHead(status, headers).end();
  else response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  return status;
}

const armError = (response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json(response, status, { error: { code, message } }, headers);

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

const ADDRESSES_PATH = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Communication\/emailServices\/[^/]+\/domains\/[^/]+\/suppressionLists\/[^/]+)\/suppressionListAddresses(?:\/([^/]+))?$/i;

export async function startArmStandIn(options: ArmStandInOptions): Promise<ArmStandIn> {
  const host = options.host ?? '127.0.0.1';
  const pageSize = options.pageSize ?? 100;
  const { certPath, cert, key } = standInCertificate(options.certificateDir);
  const lists = new Map((options.lists ?? [STAND_IN_LIST_ID]).map((id) => [id.toLowerCase(), new Map<string, StoredAddress>()]));
  const tokens = new Set<string>();
  const faults: Fault[] = [];
  const requests: ArmStandIn['requests'] = [];
  const identityHeader = options.identityHeader ?? randomUUID();

  const identity = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    // What the list holds, for people trying the sync by hand: a stand-in's view, not an ARM route.
    if (url.pathname === '/stand-in/addresses') {
      return json(response, 200, Object.fromEntries([...lists].map(([id, list]) => [id, Object.fromEntries(list)])));
    }
    if (request.headers['x-identity-header'] !== identityHeader) return armError(response, 401, 'Unauthorized', 'X-IDENTITY-HEADER is missing or wrong.');
    if (url.searchParams.get('api-version') !== IDENTITY_API_VERSION || !url.searchParams.get('resource')) {
      return armError(response, 400, 'BadRequest', `api-version=${IDENTITY_API_VERSION} and resource are required.`);
    }
    const token = `stand-in-${randomUUID()}`;
    tokens.add(token);
    return json(response, 200, {
      access_token: token,
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource: url.searchParams.get('resource'),
      token_type: 'Bearer',
    });
  });

  function view(id: string, addressId: string, entry: StoredAddress) {
    return {
      id: `${id}/suppressionListAddresses/${addressId}`,
      name: addressId,
      type: ADDRESS_TYPE,
      properties: { ...entry, dataLocation: 'unitedstates' },
    };
  }

  async function serveArm(request: IncomingMessage, response: ServerResponse, url: URL): Promise<number> {
    const authorization = request.headers.authorization ?? '';
    if (!authorization.startsWith('Bearer ') || !tokens.has(authorization.slice('Bearer '.length))) {
      return armError(response, 401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing or holds no token the stand-in issued.');
    }
    const fault = faults.shift();
    if (fault) {
      const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
      return armError(response, fault.status, fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', 'Injected by the stand-in.', headers);
    }
    if (url.searchParams.get('api-version') !== ARM_API_VERSION) {
      return armError(response, 400, 'InvalidApiVersionParameter', `The api-version must be ${ARM_API_VERSION}.`);
    }
    const match = ADDRESSES_PATH.exec(url.pathname);
    if (!match) return armError(response, 404, 'NotFound', 'The stand-in answers suppressionListAddresses only.');
    const [, listPath, rawAddressId] = match;
    const list = lists.get(listPath!.toLowerCase());
    if (!list) return armError(response, 404, 'ParentResourceNotFound', 'The suppression list does not exist.');
    if (rawAddressId === undefined) {
      if (request.method !== 'GET') return armError(response, 405, 'MethodNotAllowed', 'The collection answers GET.');
      const skip = Number(url.searchParams.get('$skipToken') ?? '0');
      const all = [...list].sort(([a], [b]) => (a < b ? -1 : 1));
      const page = all.slice(skip, skip + pageSize).map(([addressId, entry]) => view(listPath!, addressId, entry));
      const next = new URL(url);
      next.searchParams.set('$skipToken', String(skip + pageSize));
      return json(response, 200, { value: page, ...(skip + pageSize < all.length ? { nextLink: next.href } : {}) });
    }
    const addressId = decodeURIComponent(rawAddressId);
    switch (request.method) {
      case 'GET': {
        const entry = list.get(addressId);
        return entry ? json(response, 200, view(listPath!, addressId, entry)) : armError(response, 404, 'ResourceNotFound', 'The address is not on the list.');
      }
      case 'PUT': {
        if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) return armError(response, 415, 'UnsupportedMediaType', 'The body must be JSON.');
        let body: { properties?: { email?: unknown; firstName?: unknown; lastName?: unknown; notes?: unknown } };
        try {
          body = JSON.parse(await bodyOf(request)) as typeof body;
        } catch {
          return armError(response, 400, 'InvalidRequestContent', 'The body is not JSON.');
        }
        const email = body.properties?.email;
        if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email)) return armError(response, 400, 'InvalidRequestContent', 'properties.email must be an email address.');
        const existed = list.has(addressId);
        const entry: StoredAddress = { email, lastModified: new Date().toISOString() };
        for (const field of ['firstName', 'lastName', 'notes'] as const) {
          const value = body.properties?.[field];
          if (typeof value === 'string') entry[field] = value;
        }
        list.set(addressId, entry);
        return json(response, existed ? 200 : 201, view(listPath!, addressId, entry));
      }
      case 'DELETE':
        return json(response, list.delete(addressId) ? 200 : 204);
      default:
        return armError(response, 405, 'MethodNotAllowed', 'An address answers GET, PUT and DELETE.');
    }
  }

  const arm = createHttpsServer({ cert, key }, (request, response) => {
    const url = new URL(request.url ?? '/', `https://${request.headers.host ?? 'localhost'}`);
    serveArm(request, response, url)
      .catch(() => armError(response, 500, 'InternalServerError', 'The stand-in failed.'))
      .then((status) => {
        requests.push({ method: request.method ?? '', path: url.pathname, status });
        options.log?.(`${request.method} ${url.pathname.replace(/^.*\/suppressionLists\//, '…/suppressionLists/')} → ${status}`);
      });
  });

  const armPort = await listen(arm, options.armPort ?? 0, host);
  const identityPort = await listen(identity, options.identityPort ?? 0, host);
  const shown = host === '127.0.0.1' || host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    armEndpoint: `https://${shown}:${armPort}`,
    identityEndpoint: `http://${shown}:${identityPort}/msi/token`,
    identityHeader,
    certificatePath: certPath,
    certificate: cert,
    addresses: (listId = STAND_IN_LIST_ID) => lists.get(listId.toLowerCase()) ?? new Map(),
    requests,
    fail: (...more) => void faults.push(...more),
    close: async () => {
      for (const server of [arm, identity]) {
        server.closeAllConnections();
        await new Promise<void>((closed) => server.close(() => closed()));
      }
    },
  };
}
