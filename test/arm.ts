/**
 * Reading compiled ARM templates (what `bicep build` makes of infra/) in tests: the nested deployment
 * of each module, and the value of a template expression given parameter values and stand-ins for what
 * only Azure knows (module outputs, `reference()` of a resource). Only the functions the templates use
 * are implemented; anything else throws, so that a change of shape is noticed rather than guessed at.
 */
import { createHash } from 'node:crypto';
import type { ArmResource, ArmTemplate } from '../scripts/bicep.js';

export function resourcesOf(template: ArmTemplate): ArmResource[] {
  return Array.isArray(template.resources) ? template.resources : Object.values(template.resources);
}

/** The nested deployment (a Bicep module) named `name`, with its template. */
export function moduleOf(template: ArmTemplate, name: string): ArmResource & { template: ArmTemplate } {
  const found = resourcesOf(template).filter((r) => r.type === 'Microsoft.Resources/deployments' && r.name === name);
  if (found.length !== 1) throw new Error(`the template has ${found.length} module(s) named ${name}`);
  return { ...found[0]!, template: found[0]!.properties!.template! };
}

export function ofType(template: ArmTemplate, type: string): ArmResource[] {
  return resourcesOf(template).filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

// ---------------------------------------------------------------------------------------------------
// Expressions: "[format('st{0}', parameters('name'))]"

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'member'; object: Node; property: Node };

function parse(text: string): Node {
  let at = 0;
  const skip = () => {
    while (text[at] === ' ') at++;
  };
  const expect = (char: string) => {
    skip();
    if (text[at] !== char) throw new Error(`expected ${char} at ${at} in ${text}`);
    at++;
  };
  const expression = (): Node => {
    skip();
    let node: Node;
    if (text[at] === "'") {
      let value = '';
      at++;
      for (;;) {
        if (text[at] === "'" && text[at + 1] === "'") (value += "'"), (at += 2);
        else if (text[at] === "'") break;
        else if (at >= text.length) throw new Error(`unterminated string in ${text}`);
        else value += text[at++];
      }
      at++;
      node = { kind: 'literal', value };
    } else if (/[-0-9]/.test(text[at]!)) {
      const match = /^-?\d+/.exec(text.slice(at))!;
      at += match[0].length;
      node = { kind: 'literal', value: Number(match[0]) };
    } else {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(at));
      if (!match) throw new Error(`unexpected ${JSON.stringify(text.slice(at, at + 20))} in ${text}`);
      at += match[0].length;
      const args: Node[] = [];
      expect('(');
      skip();
      if (text[at] !== ')') {
        args.push(expression());
        skip();
        while (text[at] === ',') {
          at++;
          args.push(expression());
          skip();
        }
      }
      expect(')');
      node = { kind: 'call', name: match[0], args };
    }
    for (;;) {
      if (text[at] === '.') {
        const match = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(at))!;
        at += match[0].length;
        node = { kind: 'member', object: node, property: { kind: 'literal', value: match[1] } };
      } else if (text[at] === '[') {
        at++;
        const property = expression();
        expect(']');
        node = { kind: 'member', object: node, property };
      } else return node;
    }
  };
  const node = expression();
  skip();
  if (at !== text.length) throw new Error(`trailing ${JSON.stringify(text.slice(at))} in ${text}`);
  return node;
}

/** What only Azure knows, as the tests choose it. */
export interface Stand {
  /** Outputs of nested deployments, by module name. */
  moduleOutputs?: Record<string, Record<string, unknown>>;
  /** `reference()` of a resource, by resource type; a function answers by the resource's id. */
  resources?: Record<string, Record<string, unknown> | ((id: string) => Record<string, unknown>)>;
  subscriptionId?: string;
}

export interface Scope {
  template: ArmTemplate;
  parameters: Record<string, unknown>;
  stand?: Stand;
  copyIndex?: number;
  lambda?: Record<string, unknown>;
}

const isExpression = (value: unknown): value is string => typeof value === 'string' && value.startsWith('[') && !value.startsWith('[[');

/** A template value with its expressions evaluated, objects and arrays included. */
export function evaluate(value: unknown, scope: Scope): unknown {
  if (isExpression(value)) return run(parse(value.slice(1, -1)), scope);
  if (Array.isArray(value)) return value.map((item) => evaluate(item, scope));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, scope)]));
  return value;
}

function parameter(name: string, scope: Scope): unknown {
  if (name in scope.parameters) return scope.parameters[name];
  const declared = scope.template.parameters?.[name];
  if (!declared) throw new Error(`no parameter ${name}`);
  if (!('defaultValue' in declared)) throw new Error(`parameter ${name} has no value and no default`);
  return evaluate(declared.defaultValue, scope);
}

const guidOf = (parts: unknown[]) => {
  const hex = createHash('sha1').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

function run(node: Node, scope: Scope): unknown {
  if (node.kind === 'literal') return node.value;
  if (node.kind === 'member') {
    const object = run(node.object, scope) as Record<string, unknown> | null | undefined;
    const key = run(node.property, scope) as string;
    if (object === null || object === undefined) throw new Error(`cannot read ${key} of ${object}`);
    return object[key];
  }
  const lazy = (i: number) => run(node.args[i]!, scope);
  switch (node.name) {
    case 'if':
      return lazy(0) ? lazy(1) : lazy(2);
    case 'lambda': {
      const names = node.args.slice(0, -1).map((arg) => run(arg, scope) as string);
      const body = node.args.at(-1)!;
      return (...values: unknown[]) => run(body, { ...scope, lambda: { ...scope.lambda, ...Object.fromEntries(names.map((n, i) => [n, values[i]])) } });
    }
  }
  const args = node.args.map((arg) => run(arg, scope));
  const stand = scope.stand ?? {};
  const subscriptionId = stand.subscriptionId ?? '00000000-0000-0000-0000-000000000001';
  switch (node.name) {
    case 'parameters':
      return parameter(args[0] as string, scope);
    case 'variables': {
      const variables = scope.template.variables ?? {};
      if (!(String(args[0]) in variables)) throw new Error(`no variable ${args[0]}`);
      return evaluate(variables[args[0] as string], scope);
    }
    case 'lambdaVariables':
      return scope.lambda?.[args[0] as string];
    case 'copyIndex':
      if (scope.copyIndex === undefined) throw new Error('copyIndex() outside a loop');
      return scope.copyIndex + ((args[0] as number | undefined) ?? 0);
    case 'format':
      return (args[0] as string).replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i) + 1]));
    case 'concat':
      return Array.isArray(args[0]) ? args.flat() : args.join('');
    case 'union':
      return args.every(Array.isArray) ? [...new Set(args.flat())] : Object.assign({}, ...args);
    case 'toLower':
      return String(args[0]).toLowerCase();
    case 'toUpper':
      return String(args[0]).toUpperCase();
    case 'trim':
      return String(args[0]).trim();
    case 'split':
      return String(args[0]).split(args[1] as string);
    case 'map':
      return (args[0] as unknown[]).map((item) => (args[1] as (x: unknown) => unknown)(item));
    case 'filter':
      return (args[0] as unknown[]).filter((item) => (args[1] as (x: unknown) => unknown)(item));
    case 'greater':
      return (args[0] as string | number) > (args[1] as string | number);
    case 'empty':
      return args[0] === null || args[0] === undefined || args[0] === '' || (typeof args[0] === 'object' && Object.keys(args[0] as object).length === 0);
    case 'not':
      return !args[0];
    case 'equals':
      return JSON.stringify(args[0]) === JSON.stringify(args[1]);
    case 'and':
      return args.every(Boolean);
    case 'or':
      return args.some(Boolean);
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    case 'coalesce':
      return args.find((arg) => arg !== null && arg !== undefined) ?? null;
    case 'tryGet': {
      let value = args[0] as Record<string, unknown> | null | undefined;
      for (const key of args.slice(1)) value = value === null || value === undefined ? null : ((value[key as string] as Record<string, unknown>) ?? null);
      return value ?? null;
    }
    case 'createObject':
      return Object.fromEntries(Array.from({ length: args.length / 2 }, (_, i) => [args[2 * i], args[2 * i + 1]]));
    case 'createArray':
      return args;
    case 'objectKeys':
      return Object.keys(args[0] as object);
    case 'toObject': {
      const [items, key, value] = args as [unknown[], (x: unknown) => string, ((x: unknown) => unknown) | undefined];
      return Object.fromEntries(items.map((item) => [key(item), value ? value(item) : item]));
    }
    case 'length':
      return (args[0] as string | unknown[]).length;
    case 'string':
      return typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    case 'take':
      return (args[0] as string).slice(0, args[1] as number);
    case 'uniqueString':
      return createHash('sha256').update(args.join('|')).digest('hex').slice(0, 13);
    case 'guid':
      return guidOf(args);
    case 'environment':
      return { suffixes: { storage: 'core.windows.net' }, authentication: { loginEndpoint: 'https://login.microsoftonline.com/' } };
    case 'subscription':
      return { subscriptionId, id: `/subscriptions/${subscriptionId}` };
    case 'tenant':
      return { tenantId: '00000000-0000-0000-0000-0000000000aa' };
    case 'utcNow':
      return '2026-01-01T00:00:00Z';
    case 'resourceGroup':
      return { name: 'rg-test', id: `/subscriptions/${subscriptionId}/resourceGroups/rg-test` };
    case 'subscriptionResourceId':
      return `/subscriptions/${subscriptionId}/providers/${args[0]}/${args.slice(1).join('/')}`;
    case 'resourceId': {
      // resourceId([subscriptionId, resourceGroup,] type, name...): the type is the first argument with a slash.
      const typeAt = args.findIndex((arg) => typeof arg === 'string' && arg.includes('/'));
      const group = typeAt === 2 ? args[1] : typeAt === 1 ? args[0] : 'rg-test';
      return `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/${args[typeAt]}/${args.slice(typeAt + 1).join('/')}`;
    }
    case 'extensionResourceId':
      return `${args[0]}/providers/${args[1]}/${args.slice(2).join('/')}`;
    case 'reference': {
      const id = String(args[0]);
      const module = /\/providers\/Microsoft\.Resources\/deployments\/([^/]+)$/.exec(id)?.[1];
      if (module) {
        const outputs = stand.moduleOutputs?.[module];
        if (!outputs) throw new Error(`no stand-in outputs for module ${module}`);
        return { outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v }])) };
      }
      // An extension resource (a role assignment on an account) is of the type after its last /providers/.
      const own = id.slice(id.lastIndexOf('/providers/'));
      const type = Object.keys(stand.resources ?? {}).find((t) => own.startsWith(`/providers/${t}/`));
      if (!type) throw new Error(`no stand-in for reference(${id})`);
      const found = stand.resources![type]!;
      return typeof found === 'function' ? found(id) : found;
    }
    default:
      throw new Error(`the ARM function ${node.name}() is not implemented here`);
  }
}
