/**
 * The deployment (infra/*.bicep, infra/main.parameters.json, azure.yaml and its hooks), checked without
 * Azure and without the Bicep CLI:
 *
 * - every .bicep file parses with the tree-sitter Bicep grammar (web-tree-sitter and the grammar's
 *   wasm, no native addon), with no ERROR or MISSING node, and the checker is shown to catch breakage;
 * - on the syntax trees, what a compiler would catch first: every name used is declared (or a Bicep
 *   function), module params and outputs match the module files, the parameter file matches main.bicep;
 * - the Event Grid subscriptions route exactly the event types the app handles to exactly the Event Grid
 *   functions it registers, with retries and identity-based dead-lettering;
 * - the app settings are the ones src/settings.ts reads, identity-based, and none of them is a secret;
 * - the postdeploy hook turns the subscriptions on once, after the code is deployed.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Language, Parser, type Node } from 'web-tree-sitter';
import '../src/index.js';
import { DELIVERY_REPORT_EVENT_TYPE, EMAIL_EVENT_TYPES, ENGAGEMENT_REPORT_EVENT_TYPE } from '../src/events/emailEvent.js';
import { registeredFunctions } from '../src/registry.js';
import { DEFAULT_EVENTS_TABLE, readSettings, STORAGE_SETTING, TABLE_SETTING } from '../src/settings.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const INFRA = join(ROOT, 'infra');

// ---------------------------------------------------------------------------------------------------
// Parsing

let parser: Parser;

beforeAll(async () => {
  await Parser.init();
  const require = createRequire(import.meta.url);
  const bicep = await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
  parser = new Parser();
  parser.setLanguage(bicep);
});

function parse(source: string): Node {
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree.rootNode;
}

/** Every ERROR and MISSING node, as "line:column what". */
function syntaxProblems(root: Node): string[] {
  const problems: string[] = [];
  const visit = (node: Node) => {
    if (node.isError || node.isMissing) {
      const where = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
      problems.push(node.isMissing ? `${where} missing ${node.type}` : `${where} unexpected ${JSON.stringify(node.text.slice(0, 40))}`);
    }
    for (const child of node.children) visit(child);
  };
  visit(root);
  // hasError also covers errors the walk cannot reach.
  if (problems.length === 0 && root.hasError) problems.push('the tree has an error');
  return problems;
}

function bicepFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return bicepFilesUnder(path);
    return entry.name.endsWith('.bicep') ? [path] : [];
  });
}

// ---------------------------------------------------------------------------------------------------
// A small model of a Bicep file, read off its syntax tree

interface Declaration {
  name: string;
  node: Node;
  decorators: string[];
}
interface Param extends Declaration {
  defaultValue: Node | null;
}
interface Resource extends Declaration {
  type: string;
  body: Node; // the object
  condition: Node | null; // the `if (...)` expression
  nested: boolean;
}
interface Module extends Declaration {
  path: string;
  body: Node;
}
interface BicepFile {
  path: string;
  source: string;
  root: Node;
  params: Map<string, Param>;
  vars: Map<string, Node>;
  outputs: Set<string>;
  resources: Resource[];
  modules: Module[];
}

const files = new Map<string, BicepFile>();

function named(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
}

/** The decorator names (`description`, `secure`, ...) placed before a declaration. */
function decoratorsBefore(node: Node): string[] {
  let previous = node.previousNamedSibling;
  while (previous?.type === 'comment') previous = previous.previousNamedSibling;
  if (previous?.type !== 'decorators') return [];
  return named(previous).map((decorator) => named(decorator)[0]?.childForFieldName('function')?.text ?? '');
}

/** A string literal's value; null for an interpolated string. */
function literal(node: Node | null | undefined): string | null {
  if (!node || node.type !== 'string') return null;
  if (named(node).some((part) => part.type === 'interpolation')) return null;
  return node.text.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/** The value of property `key` in an object node. */
function prop(object: Node | null | undefined, key: string): Node | null {
  if (!object || object.type !== 'object') return null;
  for (const property of named(object)) {
    if (property.type !== 'object_property') continue;
    const [name, value] = named(property);
    if (!name || !value || name.type === 'resource_declaration') continue;
    if (name.text === key || literal(name) === key) return value;
  }
  return null;
}

/** The keys of an object node, with their value nodes. */
function entries(object: Node | null | undefined): [string, Node][] {
  if (!object || object.type !== 'object') return [];
  return named(object)
    .filter((property) => property.type === 'object_property' && named(property)[0]?.type !== 'resource_declaration')
    .map((property) => {
      const [name, value] = named(property) as [Node, Node];
      return [literal(name) ?? name.text, value];
    });
}

function bodyOf(declaration: Node): { body: Node; condition: Node | null } {
  const last = named(declaration).at(-1)!;
  if (last.type === 'if_statement') {
    const [condition, body] = named(last) as [Node, Node];
    return { body, condition };
  }
  return { body: last, condition: null };
}

function load(path: string): BicepFile {
  const cached = files.get(path);
  if (cached) return cached;
  const source = readFileSync(path, 'utf8');
  const root = parse(source);
  const file: BicepFile = { path, source, root, params: new Map(), vars: new Map(), outputs: new Set(), resources: [], modules: [] };
  for (const statement of named(root)) {
    const [first, ...rest] = named(statement);
    if (!first) continue;
    const decorators = decoratorsBefore(statement);
    switch (statement.type) {
      case 'parameter_declaration': {
        const defaultValue = rest.length >= 2 ? rest.at(-1)! : null; // name, type[, default]
        file.params.set(first.text, { name: first.text, node: statement, decorators, defaultValue });
        break;
      }
      case 'variable_declaration':
        file.vars.set(first.text, rest[0]!);
        break;
      case 'output_declaration':
        file.outputs.add(first.text);
        break;
      case 'module_declaration':
        file.modules.push({ name: first.text, node: statement, decorators, path: literal(rest[0])!, body: bodyOf(statement).body });
        break;
    }
  }
  for (const declaration of root.descendantsOfType('resource_declaration')) {
    if (!declaration) continue;
    const [name, type] = named(declaration) as [Node, Node];
    const { body, condition } = bodyOf(declaration);
    const nested = declaration.parent?.type === 'object_property';
    file.resources.push({ name: name.text, node: declaration, decorators: [], type: literal(type)!, body, condition, nested });
  }
  files.set(path, file);
  return file;
}

const infraFile = (name: string) => load(join(INFRA, name));

/** Follows an identifier to its `var` value in the same file. */
function deref(file: BicepFile, node: Node | null): Node | null {
  if (node?.type === 'identifier' && file.vars.has(node.text)) return deref(file, file.vars.get(node.text)!);
  return node;
}

function moduleTarget(file: BicepFile, module: Module): BicepFile {
  return load(resolve(dirname(file.path), module.path));
}

/** The resources of one type (ignoring the API version). */
function resourcesOfType(file: BicepFile, type: string): Resource[] {
  return file.resources.filter((resource) => resource.type.split('@')[0]!.toLowerCase() === type.toLowerCase());
}

// ---------------------------------------------------------------------------------------------------
// Names a Bicep file may use without declaring them

const BICEP_FUNCTIONS = new Set(
  (
    'any array base64 base64ToJson base64ToString bool coalesce concat contains dataUri dataUriToString dateTimeAdd ' +
    'dateTimeFromEpoch dateTimeToEpoch deployer deployment empty endsWith environment extensionResourceId filter first ' +
    'flatten format getSecret groupBy guid indexOf int intersection items join json last lastIndexOf length ' +
    'loadFileAsBase64 loadJsonContent loadTextContent loadYamlContent managementGroup managementGroupResourceId map ' +
    'mapValues max min newGuid objectKeys padLeft pickZones range readEnvironmentVariable reduce reference replace ' +
    'resourceGroup resourceId shallowMerge skip sort split startsWith string subscription subscriptionResourceId ' +
    'substring take tenant tenantResourceId toLower toObject toUpper trim tryGet union uniqueString uri uriComponent ' +
    'uriComponentToString utcNow'
  ).split(' '),
);
const BICEP_DECORATORS = new Set('allowed batchSize description discriminator export maxLength maxValue metadata minLength minValue sealed secure'.split(' '));
const BICEP_NAMESPACES = new Set(['az', 'sys']);
const DECLARING_PARENTS = new Set([
  'parameter_declaration',
  'variable_declaration',
  'resource_declaration',
  'module_declaration',
  'output_declaration',
  'type_declaration',
  'metadata_declaration',
  'user_defined_function',
  'test_block',
  'assert_statement',
  'parameter',
]);

/** Names used but never declared, and calls to functions Bicep does not have, as "line:column name". */
function undeclaredNames(file: BicepFile): string[] {
  const declared = new Set<string>([...file.params.keys(), ...file.vars.keys(), ...file.modules.map((m) => m.name), ...file.resources.map((r) => r.name)]);
  for (const loop of file.root.descendantsOfType('for_statement')) {
    const initializer = loop?.childForFieldName('initializer');
    if (initializer) declared.add(initializer.text);
    for (const variable of loop?.descendantsOfType(['loop_variable', 'loop_enumerator']) ?? []) if (variable) declared.add(variable.text);
  }
  for (const func of file.root.descendantsOfType('user_defined_function')) {
    const name = func?.childForFieldName('name');
    if (name) declared.add(name.text);
  }
  const problems: string[] = [];
  for (const identifier of file.root.descendantsOfType('identifier')) {
    if (!identifier) continue;
    const parent = identifier.parent!;
    const at = `${identifier.startPosition.row + 1}:${identifier.startPosition.column + 1} ${identifier.text}`;
    const isFirst = named(parent)[0]?.id === identifier.id;
    if (DECLARING_PARENTS.has(parent.type) && isFirst) continue; // the name being declared
    if (parent.type === 'object_property' && isFirst) continue; // a property key
    if (parent.type === 'resource_expression' && !isFirst) continue; // parent::child
    if (parent.type === 'for_statement') continue; // the loop variable
    let inType = false;
    for (let up: Node | null = parent; up; up = up.parent) if (up.type === 'type' || up.type === 'lambda_expression') inType = true;
    if (inType) continue;
    if (parent.type === 'call_expression' && parent.childForFieldName('function')?.id === identifier.id) {
      const isDecorator = parent.parent?.type === 'decorator';
      const known = isDecorator ? BICEP_DECORATORS.has(identifier.text) : BICEP_FUNCTIONS.has(identifier.text) || declared.has(identifier.text);
      if (!known) problems.push(`${at} (no such ${isDecorator ? 'decorator' : 'function'})`);
      continue;
    }
    if (!declared.has(identifier.text) && !BICEP_NAMESPACES.has(identifier.text)) problems.push(`${at} (not declared)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Evaluating the few expressions the app settings are made of

type Scope = { file: BicepFile; caller?: { file: BicepFile; params: Node | null; scope: Scope } };

/**
 * The value of an expression, given values for the runtime references it may hold (`known`, by source
 * text: `storage.name`, `environment().suffixes.storage`, ...). Parameters take what the calling module
 * passes, else their default. Throws for anything else, so that an unexpected expression is noticed.
 */
function evaluate(node: Node, scope: Scope, known: Record<string, string>): string {
  if (node.text in known) return known[node.text]!;
  if (node.type === 'string') {
    return named(node)
      .map((part) => (part.type === 'interpolation' ? evaluate(named(part)[0]!, scope, known) : part.text))
      .join('');
  }
  if (node.type === 'identifier') {
    if (scope.file.vars.has(node.text)) return evaluate(scope.file.vars.get(node.text)!, scope, known);
    const param = scope.file.params.get(node.text);
    if (param) {
      const passed = scope.caller && prop(scope.caller.params, node.text);
      if (passed && scope.caller) return evaluate(passed, scope.caller.scope, known);
      if (param.defaultValue) return evaluate(param.defaultValue, scope, known);
    }
  }
  throw new Error(`cannot evaluate ${JSON.stringify(node.text)} in ${relative(ROOT, scope.file.path)}`);
}

/** The scope of a module file as main.bicep calls it. */
function calledFromMain(moduleName: string): Scope {
  const main = infraFile('main.bicep');
  const module = main.modules.find((m) => m.name === moduleName);
  if (!module) throw new Error(`main.bicep has no module ${moduleName}`);
  return { file: moduleTarget(main, module), caller: { file: main, params: prop(module.body, 'params'), scope: { file: main } } };
}

function appSettings(): [string, Node][] {
  const file = infraFile('modules/functionApp.bicep');
  const config = file.resources.filter((r) => /^(config|Microsoft\.Web\/sites\/config@.*)$/i.test(r.type) && literal(prop(r.body, 'name')) === 'appsettings');
  expect(config, 'one appsettings resource in modules/functionApp.bicep').toHaveLength(1);
  return entries(prop(config[0]!.body, 'properties'));
}

// ---------------------------------------------------------------------------------------------------

describe('Bicep syntax (tree-sitter-bicep)', () => {
  const paths = bicepFilesUnder(INFRA);

  it('finds the templates', () => {
    expect(paths.map((p) => relative(INFRA, p)).sort()).toEqual(
      expect.arrayContaining(['main.bicep', 'modules/eventGrid.bicep', 'modules/functionApp.bicep', 'modules/roles.bicep', 'modules/storage.bicep']),
    );
  });

  it.each(paths.map((p) => [relative(ROOT, p), p]))('%s parses without ERROR or MISSING nodes', (_, path) => {
    expect(syntaxProblems(parse(readFileSync(path, 'utf8')))).toEqual([]);
  });

  it('catches broken Bicep (the checker is not blind)', () => {
    const broken = [
      // an object never closed
      "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'st'\n  properties: {\n    minimumTlsVersion: 'TLS1_2'\n  }\n",
      // a parameter default with no value
      'param location string =\n',
      // an unterminated string
      "var name = 'st${resourceToken}\n",
      // an array never closed
      "var types = [\n  'Microsoft.Communication.EmailDeliveryReportReceived'\n",
    ];
    for (const source of broken) expect(syntaxProblems(parse(source)), source).not.toEqual([]);
    expect(syntaxProblems(parse(broken[0]!)).join()).toMatch(/missing \}/);
    expect(syntaxProblems(parse("param location string = 'westeurope'\noutput where string = location\n"))).toEqual([]);
  });
});

describe('Bicep names and wiring', () => {
  const paths = bicepFilesUnder(INFRA);

  it.each(paths.map((p) => [relative(ROOT, p), p]))('%s uses only declared names and Bicep functions', (_, path) => {
    expect(undeclaredNames(load(path))).toEqual([]);
  });

  it('catches an undeclared name and a misspelt function (the checker is not blind)', () => {
    const source = "param environmentName string\nvar token = uniqueString(environmentName)\nvar name = toLowr('st${tokn}')\n";
    const file: BicepFile = { path: '/virtual.bicep', source, root: parse(source), params: new Map(), vars: new Map(), outputs: new Set(), resources: [], modules: [] };
    file.params.set('environmentName', { name: 'environmentName', node: file.root, decorators: [], defaultValue: null });
    file.vars.set('token', file.root).set('name', file.root);
    expect(undeclaredNames(file)).toEqual(['3:12 toLowr (no such function)', '3:24 tokn (not declared)']);
  });

  it('every resource type names its API version (children declared inside their parent take the parent\'s)', () => {
    for (const path of paths) {
      for (const resource of load(path).resources) {
        const pattern = resource.nested ? /^[A-Za-z]+$/ : /^[A-Za-z]+\.[A-Za-z.]+(\/[A-Za-z]+)+@\d{4}-\d{2}-\d{2}(-preview)?$/;
        expect(resource.type, `${relative(ROOT, path)}: ${resource.name}`).toMatch(pattern);
      }
    }
  });

  it('module calls pass exactly the params the module declares, and read only outputs it has', () => {
    for (const path of paths) {
      const file = load(path);
      for (const module of file.modules) {
        const where = `${relative(ROOT, path)}: module ${module.name} ('${module.path}')`;
        const targetPath = resolve(dirname(path), module.path);
        expect(existsSync(targetPath), `${where}: file exists`).toBe(true);
        const target = moduleTarget(file, module);
        const passed = entries(prop(module.body, 'params')).map(([key]) => key);
        expect(passed.filter((key) => !target.params.has(key)), `${where}: params the module does not declare`).toEqual([]);
        const required = [...target.params.values()].filter((p) => !p.defaultValue).map((p) => p.name);
        expect(required.filter((key) => !passed.includes(key)), `${where}: required params not passed`).toEqual([]);
        expect(literal(prop(module.body, 'name')), `${where}: deployment name`).toBeTruthy();
      }
      for (const access of file.root.descendantsOfType('member_expression')) {
        const object = access?.childForFieldName('object');
        if (!access || object?.type !== 'member_expression' || object.childForFieldName('property')?.text !== 'outputs') continue;
        const module = file.modules.find((m) => m.name === object.childForFieldName('object')?.text);
        if (!module) continue;
        const output = access.childForFieldName('property')!.text;
        expect(moduleTarget(file, module).outputs.has(output), `${relative(ROOT, path)}: ${access.text}`).toBe(true);
      }
    }
  });

  it('main.parameters.json gives main.bicep every parameter it needs from the azd environment, and no other', () => {
    const main = infraFile('main.bicep');
    const parameters = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')).parameters as Record<string, { value: unknown }>;
    expect(Object.keys(parameters).filter((name) => !main.params.has(name))).toEqual([]);
    const required = [...main.params.values()].filter((p) => !p.defaultValue).map((p) => p.name);
    expect(required.filter((name) => !(name in parameters))).toEqual([]);
    expect(Object.fromEntries(Object.entries(parameters).map(([name, { value }]) => [name, value]))).toEqual({
      environmentName: '${AZURE_ENV_NAME}',
      location: '${AZURE_LOCATION}',
      principalId: '${AZURE_PRINCIPAL_ID}',
      principalType: '${AZURE_PRINCIPAL_TYPE=User}',
      acsResourceName: '${ACS_RESOURCE_NAME}',
      acsResourceGroup: '${ACS_RESOURCE_GROUP}',
      deployEventSubscriptions: '${DEPLOY_EVENT_SUBSCRIPTIONS=false}',
    });
    expect(main.params.get('deployEventSubscriptions')?.defaultValue?.text).toBe('false');
  });

  it('main.bicep has the outputs azd and the docs use', () => {
    const outputs = infraFile('main.bicep').outputs;
    for (const name of ['AZURE_FUNCTION_APP_NAME', 'AZURE_RESOURCE_GROUP', 'AZURE_STORAGE_ACCOUNT_NAME', 'DEAD_LETTER_CONTAINER_NAME', 'SERVICE_API_NAME']) {
      expect(outputs.has(name), name).toBe(true);
    }
  });
});

describe('Event Grid subscriptions', () => {
  interface Subscription {
    name: string;
    functionName: string;
    eventTypes: string[];
    resource: Resource;
  }

  function subscriptions(): Subscription[] {
    const file = infraFile('modules/eventGrid.bicep');
    return resourcesOfType(file, 'Microsoft.EventGrid/systemTopics/eventSubscriptions').map((resource) => {
      const properties = prop(resource.body, 'properties');
      const endpoint = prop(prop(properties, 'destination'), 'properties');
      const resourceId = prop(endpoint, 'resourceId')?.text ?? '';
      const functionName = /\/functions\/([A-Za-z0-9_-]+)'$/.exec(resourceId)?.[1] ?? `(no function in ${resourceId})`;
      const types = prop(prop(properties, 'filter'), 'includedEventTypes');
      const eventTypes = types?.type === 'array' ? named(types).map((t) => literal(t) ?? `(not a literal: ${t.text})`) : [];
      return { name: literal(prop(resource.body, 'name')) ?? '', functionName, eventTypes, resource };
    });
  }

  const eventGridFunctions = () => registeredFunctions().filter((f) => f.trigger === 'eventGrid').map((f) => f.name);

  it('subscribe exactly the Event Grid functions the app registers', () => {
    expect(eventGridFunctions().length).toBeGreaterThan(0);
    expect(subscriptions().map((s) => s.functionName).sort()).toEqual([...eventGridFunctions()].sort());
  });

  it('filter on exactly the event types the app handles, one type per subscription', () => {
    const all = subscriptions();
    for (const subscription of all) expect(subscription.eventTypes, subscription.name).toHaveLength(1);
    expect(all.flatMap((s) => s.eventTypes).sort()).toEqual([...EMAIL_EVENT_TYPES].sort());
  });

  it('send each event type to the function named for it', () => {
    const routes = Object.fromEntries(subscriptions().map((s) => [s.functionName, s.eventTypes[0]]));
    expect(routes).toEqual({ emailDeliveryReport: DELIVERY_REPORT_EVENT_TYPE, emailEngagementReport: ENGAGEMENT_REPORT_EVENT_TYPE });
    for (const [functionName, eventType] of Object.entries(routes)) {
      const topic = /^email(.+)Report$/.exec(functionName)?.[1];
      expect(eventType, functionName).toMatch(new RegExp(`^Microsoft\\.Communication\\.Email${topic}`));
    }
    expect(subscriptions().map((s) => s.name).sort()).toEqual(['email-delivery', 'email-engagement']);
  });

  it('deliver one Event Grid schema event at a time to the function, retry for 24 hours, then dead-letter with the topic identity', () => {
    const file = infraFile('modules/eventGrid.bicep');
    const functionApps = resourcesOfType(file, 'Microsoft.Web/sites').map((r) => r.name);
    for (const { name, resource } of subscriptions()) {
      const properties = prop(resource.body, 'properties');
      const destination = prop(properties, 'destination');
      expect(literal(prop(destination, 'endpointType')), name).toBe('AzureFunction');
      const endpoint = prop(destination, 'properties');
      expect(prop(endpoint, 'resourceId')?.text, name).toMatch(new RegExp(`^'\\$\\{(${functionApps.join('|')})\\.id\\}/functions/`));
      expect(prop(endpoint, 'maxEventsPerBatch')?.text, name).toBe('1');
      expect(literal(prop(properties, 'eventDeliverySchema')), name).toBe('EventGridSchema');

      const retry = deref(file, prop(properties, 'retryPolicy'));
      expect(prop(retry, 'maxDeliveryAttempts')?.text, name).toBe('30');
      expect(prop(retry, 'eventTimeToLiveInMinutes')?.text, name).toBe('1440');

      expect(prop(properties, 'deadLetterDestination'), `${name}: dead-letters with an identity, not a key`).toBeNull();
      const deadLetter = deref(file, prop(properties, 'deadLetterWithResourceIdentity'));
      expect(literal(prop(prop(deadLetter, 'identity'), 'type')), name).toBe('SystemAssigned');
      const blob = prop(deadLetter, 'deadLetterDestination');
      expect(literal(prop(blob, 'endpointType')), name).toBe('StorageBlob');
      expect(prop(prop(blob, 'properties'), 'blobContainerName')?.text, name).toBe('deadLetterContainerName');

      // Created only once the functions exist (the postdeploy hook), after the dead-letter role.
      expect(resource.condition?.text, name).toBe('(deployEventSubscriptions)');
      expect(prop(resource.body, 'dependsOn')?.text, name).toMatch(/\bdeadLetterWriter\b/);
    }
  });

  it('hang off a system topic on the ACS resource, whose identity may write the dead-letter container', () => {
    const file = infraFile('modules/eventGrid.bicep');
    const [topic, ...others] = resourcesOfType(file, 'Microsoft.EventGrid/systemTopics');
    expect(others).toEqual([]);
    expect(literal(prop(prop(topic!.body, 'properties'), 'topicType'))).toBe('Microsoft.Communication.CommunicationServices');
    expect(prop(prop(topic!.body, 'properties'), 'source')?.text).toBe('acsResourceId');
    expect(literal(prop(prop(topic!.body, 'identity'), 'type'))).toBe('SystemAssigned');
    for (const { resource } of subscriptions()) expect(prop(resource.body, 'parent')?.text).toBe(topic!.name);

    const [writer] = resourcesOfType(file, 'Microsoft.Authorization/roleAssignments').filter((r) => r.name === 'deadLetterWriter');
    expect(prop(prop(writer!.body, 'properties'), 'principalId')?.text).toBe(`${topic!.name}.identity.principalId`);
    expect(prop(writer!.body, 'scope')?.text).toMatch(/::deadLetterContainer$/);
    expect(roleOf(file, writer!)).toBe('Storage Blob Data Contributor');

    const main = infraFile('main.bicep');
    const eventGrid = main.modules.find((m) => m.path === 'modules/eventGrid.bicep')!;
    expect(prop(prop(eventGrid.body, 'params'), 'deployEventSubscriptions')?.text).toBe('deployEventSubscriptions');
    const acs = resourcesOfType(main, 'Microsoft.Communication/communicationServices')[0]!;
    expect(acs.node.text).toMatch(/\bexisting\b/);
    expect(prop(prop(eventGrid.body, 'params'), 'acsResourceId')?.text).toBe(`${acs.name}.id`);
  });
});

// Built-in role definition ids → names (the ones a reviewer should see, and the two that must not appear).
const ROLES: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '76199698-9eea-4c19-bc75-cec21354c6b6': 'Storage Table Data Reader',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42d9-a92b-e0f14d61b5a5': 'Contributor',
};

function roleOf(file: BicepFile, assignment: Resource): string {
  const definition = prop(prop(assignment.body, 'properties'), 'roleDefinitionId');
  const call = definition?.type === 'call_expression' ? definition : null;
  const id = literal(deref(file, named(call?.childForFieldName('arguments') ?? definition!).at(-1) ?? null));
  return (id && ROLES[id]) ?? `unknown role ${definition?.text}`;
}

describe('managed identity roles', () => {
  it('give the app identity blob owner and table contributor on its own account, metrics publisher on App Insights, nothing else', () => {
    const file = infraFile('modules/roles.bicep');
    const grants = resourcesOfType(file, 'Microsoft.Authorization/roleAssignments').map((r) => ({
      principal: prop(prop(r.body, 'properties'), 'principalId')?.text,
      role: roleOf(file, r),
      scope: prop(r.body, 'scope')?.text,
    }));
    expect(grants.filter((g) => g.principal === 'appPrincipalId')).toEqual([
      { principal: 'appPrincipalId', role: 'Storage Blob Data Owner', scope: 'storage' },
      { principal: 'appPrincipalId', role: 'Storage Table Data Contributor', scope: 'storage' },
      { principal: 'appPrincipalId', role: 'Monitoring Metrics Publisher', scope: 'appInsights' },
    ]);
    expect(grants.filter((g) => g.principal === 'principalId')).toEqual([
      { principal: 'principalId', role: 'Storage Table Data Reader', scope: 'storage' },
      { principal: 'principalId', role: 'Storage Blob Data Contributor', scope: 'storage::blobService::deadLetterContainer' },
    ]);
    expect(grants.filter((g) => g.principal !== 'appPrincipalId' && g.principal !== 'principalId')).toEqual([]);
    const main = infraFile('main.bicep');
    const roles = main.modules.find((m) => m.path === 'modules/roles.bicep')!;
    expect(prop(prop(roles.body, 'params'), 'appPrincipalId')?.text).toBe('identity.outputs.principalId');
  });

  it('never grant Owner, Contributor or any role this file does not know', () => {
    for (const path of bicepFilesUnder(INFRA)) {
      const file = load(path);
      for (const assignment of resourcesOfType(file, 'Microsoft.Authorization/roleAssignments')) {
        expect(roleOf(file, assignment), `${relative(ROOT, path)}: ${assignment.name}`).toMatch(/^(Storage|Monitoring) /);
      }
    }
  });

  it('run the Function App as the user-assigned identity, also for its deployment package', () => {
    const file = infraFile('modules/functionApp.bicep');
    const [site] = resourcesOfType(file, 'Microsoft.Web/sites').filter((r) => !r.node.text.includes('existing'));
    const identity = prop(site!.body, 'identity');
    expect(literal(prop(identity, 'type'))).toBe('UserAssigned');
    const config = prop(prop(site!.body, 'properties'), 'functionAppConfig');
    const storage = prop(prop(config, 'deployment'), 'storage');
    expect(literal(prop(prop(storage, 'authentication'), 'type'))).toBe('UserAssignedIdentity');
    expect(prop(prop(storage, 'authentication'), 'userAssignedIdentityResourceId')?.text).toBe('identity.id');
    expect(literal(prop(prop(config, 'runtime'), 'name'))).toBe('node');
    expect(literal(prop(prop(config, 'runtime'), 'version'))).toBe('22');
    const plan = resourcesOfType(file, 'Microsoft.Web/serverfarms')[0]!;
    expect(literal(prop(prop(plan.body, 'sku'), 'name'))).toBe('FC1');
    expect(prop(site!.body, 'tags')?.text).toMatch(/'azd-service-name': 'api'/);
  });
});

describe('app settings', () => {
  const CLIENT_ID = '3f0e2a52-8c1b-4c8e-9d5a-2b7f6a1e4c90';
  // Values for the runtime references the settings hold, as Azure would resolve them.
  const AZURE = {
    'storage.name': 'stexample1234',
    'environment().suffixes.storage': 'core.windows.net',
    'identity.properties.clientId': CLIENT_ID,
  };

  it('set every setting the app reads on the managed identity path', () => {
    const names = appSettings().map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining([`${STORAGE_SETTING}__tableServiceUri`, `${STORAGE_SETTING}__clientId`, TABLE_SETTING]));
    // A connection string would win over the identity settings: there must be none.
    expect(names).not.toContain(STORAGE_SETTING);
    expect(names).not.toContain('AzureWebJobsStorage');
  });

  it('make readSettings choose the managed identity, the created tables and valid values', () => {
    const scope = calledFromMain('functionApp');
    const env: Record<string, string> = {};
    for (const [name, value] of appSettings()) {
      if (name.startsWith(`${STORAGE_SETTING}__`) || name === TABLE_SETTING) env[name] = evaluate(value, scope, AZURE);
    }
    expect(env).toEqual({
      [`${STORAGE_SETTING}__tableServiceUri`]: 'https://stexample1234.table.core.windows.net',
      [`${STORAGE_SETTING}__clientId`]: CLIENT_ID,
      [TABLE_SETTING]: DEFAULT_EVENTS_TABLE,
    });
    const settings = readSettings(env);
    expect(settings.storage).toEqual({
      kind: 'identity',
      setting: `${STORAGE_SETTING}__tableServiceUri`,
      tableServiceUri: 'https://stexample1234.table.core.windows.net',
      clientId: CLIENT_ID,
    });

    // The storage module creates exactly the tables the app writes.
    const storage = calledFromMain('storage');
    const tables = resourcesOfType(storage.file, 'Microsoft.Storage/storageAccounts/tableServices/tables').map((t) =>
      evaluate(prop(t.body, 'name')!, storage, AZURE),
    );
    expect(tables.sort()).toEqual([settings.eventsTable, settings.quarantineTable].sort());
  });

  it('reach the host storage and Application Insights with the same identity', () => {
    const scope = calledFromMain('functionApp');
    const values = Object.fromEntries(appSettings().map(([name, value]) => [name, value]));
    expect(evaluate(values.AzureWebJobsStorage__accountName!, scope, AZURE)).toBe('stexample1234');
    expect(evaluate(values.AzureWebJobsStorage__credential!, scope, AZURE)).toBe('managedidentity');
    expect(evaluate(values.AzureWebJobsStorage__clientId!, scope, AZURE)).toBe(CLIENT_ID);
    expect(evaluate(values.APPLICATIONINSIGHTS_AUTHENTICATION_STRING!, scope, AZURE)).toBe(`ClientId=${CLIENT_ID};Authorization=AAD`);
    expect(values.APPLICATIONINSIGHTS_CONNECTION_STRING?.text).toBe('appInsights.properties.ConnectionString');
    // Flex Consumption rejects these: the runtime is set in functionAppConfig.
    expect(Object.keys(values)).not.toContain('FUNCTIONS_WORKER_RUNTIME');
    expect(Object.keys(values)).not.toContain('FUNCTIONS_EXTENSION_VERSION');
  });

  it('hold no secret: no key, SAS or connection string with a credential, no listKeys, no @secure value', () => {
    const file = infraFile('modules/functionApp.bicep');
    const secureParams = [...file.params.values()].filter((p) => p.decorators.includes('secure')).map((p) => p.name);
    for (const [name, value] of appSettings()) {
      expect(name, 'setting name').not.toMatch(/AccountKey|SharedAccess|Password|Secret|ApiKey|_KEY$|SAS/i);
      if (name !== 'APPLICATIONINSIGHTS_CONNECTION_STRING') expect(name, 'setting name').not.toMatch(/ConnectionString|CONNECTION_STRING/i);
      expect(value.text, name).not.toMatch(/\blist\w*\(|AccountKey=|SharedAccessSignature|SharedAccessKey|[?&]sig=/i);
      const used = value.type === 'identifier' ? [value] : value.descendantsOfType('identifier');
      for (const identifier of used) expect(secureParams, `${name} uses ${identifier?.text}`).not.toContain(identifier?.text);
    }
  });

  it('are backed by storage with shared keys off and Application Insights with local auth off', () => {
    for (const path of bicepFilesUnder(INFRA)) {
      const file = load(path);
      const comments = file.root.descendantsOfType('comment').map((c) => c!.text);
      let code = file.source;
      for (const comment of comments) code = code.replace(comment, '');
      expect(code, relative(ROOT, path)).not.toMatch(/\blist(Keys|AccountSas|ServiceSas|ConnectionStrings)\(|AccountKey=|SharedAccessSignature/);
      expect([...file.params.values()].filter((p) => p.decorators.includes('secure')), relative(ROOT, path)).toEqual([]);
    }
    const storage = resourcesOfType(infraFile('modules/storage.bicep'), 'Microsoft.Storage/storageAccounts')[0]!;
    const properties = prop(storage.body, 'properties');
    expect(prop(properties, 'allowSharedKeyAccess')?.text).toBe('false');
    expect(prop(properties, 'allowBlobPublicAccess')?.text).toBe('false');
    expect(literal(prop(properties, 'minimumTlsVersion'))).toBe('TLS1_2');
    const insights = resourcesOfType(infraFile('modules/monitoring.bicep'), 'Microsoft.Insights/components')[0]!;
    expect(prop(prop(insights.body, 'properties'), 'DisableLocalAuth')?.text).toBe('true');
  });
});

describe('azure.yaml and the postdeploy hook', () => {
  const azureYaml = () => readFileSync(join(ROOT, 'azure.yaml'), 'utf8');

  it('deploys one function service, api, from the project root', () => {
    const yaml = azureYaml();
    expect(yaml).toMatch(/^services:\n {2}api:\n(?: {4}.*\n| *#.*\n)*? {4}project: \.\n/m);
    expect(yaml).toMatch(/^ {4}host: function$/m);
    expect(yaml).toMatch(/^ {4}language: js$/m);
    expect(yaml.match(/^ {2}\S+:$/gm)?.filter((line) => line !== '  postdeploy:' && line !== '  postdown:')).toEqual(['  api:']);
  });

  it('runs an existing hook script after deploy, for posix and Windows', () => {
    const yaml = azureYaml();
    const hooks = yaml.slice(yaml.search(/^hooks:$/m));
    const postdeploy = hooks.slice(hooks.indexOf('  postdeploy:'), hooks.indexOf('  postdown:'));
    const scripts = [...postdeploy.matchAll(/run: (\S+)/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['./infra/hooks/postdeploy.sh', './infra/hooks/postdeploy.ps1']);
    for (const script of scripts) {
      const text = readFileSync(join(ROOT, script), 'utf8');
      expect(text, script).toMatch(/azd env set DEPLOY_EVENT_SUBSCRIPTIONS true/);
      expect(text, script).toMatch(/azd provision --no-prompt/);
    }
    expect(hooks).toMatch(/postdown:[\s\S]*azd env set DEPLOY_EVENT_SUBSCRIPTIONS false/);
  });

  describe.skipIf(process.platform === 'win32')('postdeploy.sh with a stand-in azd', () => {
    async function runHook(env: Record<string, string>, provisionExit = 0): Promise<{ code: number; calls: string[] }> {
      const dir = await mkdtemp(join(tmpdir(), 'azd-hook-'));
      try {
        const log = join(dir, 'calls.log');
        await writeFile(join(dir, 'azd'), `#!/bin/sh\necho "$*" >> "${log}"\n[ "$1" = provision ] && exit ${provisionExit}\nexit 0\n`);
        await chmod(join(dir, 'azd'), 0o755);
        const code = await new Promise<number>((done) => {
          const child = execFile('sh', [join(INFRA, 'hooks/postdeploy.sh')], {
            cwd: ROOT,
            env: { PATH: `${dir}:${process.env.PATH}`, POSTDEPLOY_RETRY_DELAY_SECONDS: '0', ...env },
          });
          child.on('exit', (exitCode) => done(exitCode ?? -1));
        });
        const calls = existsSync(log) ? (await readFile(log, 'utf8')).trim().split('\n') : [];
        return { code, calls };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    it('turns the subscriptions on and provisions once, after the first deploy', async () => {
      expect(await runHook({ AZURE_ENV_NAME: 'dev' })).toEqual({
        code: 0,
        calls: ['env set DEPLOY_EVENT_SUBSCRIPTIONS true -e dev', 'provision --no-prompt -e dev'],
      });
      expect(await runHook({ AZURE_ENV_NAME: 'dev', DEPLOY_EVENT_SUBSCRIPTIONS: 'false' })).toMatchObject({ code: 0, calls: { length: 2 } });
    });

    it('does nothing once they are on (a second azd up)', async () => {
      expect(await runHook({ AZURE_ENV_NAME: 'dev', DEPLOY_EVENT_SUBSCRIPTIONS: 'true' })).toEqual({ code: 0, calls: [] });
    });

    it('retries a failed provision, then turns the flag back off and fails', async () => {
      expect(await runHook({ AZURE_ENV_NAME: 'dev' }, 1)).toEqual({
        code: 1,
        calls: [
          'env set DEPLOY_EVENT_SUBSCRIPTIONS true -e dev',
          'provision --no-prompt -e dev',
          'provision --no-prompt -e dev',
          'provision --no-prompt -e dev',
          'env set DEPLOY_EVENT_SUBSCRIPTIONS false -e dev',
        ],
      });
    });

    it('refuses to run outside azd', async () => {
      expect(await runHook({})).toEqual({ code: expect.any(Number), calls: [] });
      expect((await runHook({})).code).not.toBe(0);
    });
  });
});
