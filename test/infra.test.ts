/**
 * The deployment, checked without Azure: infra/ compiled (`bicep build`) and linted (`bicep lint`) with
 * the real Bicep CLI, and the checks below run on the compiled ARM templates:
 *
 * - the Event Grid subscriptions route exactly the event types the app handles to exactly the Event Grid
 *   functions it registers, with retries and identity-based dead-lettering;
 * - the app settings are the ones src/settings.ts reads, identity-based, and none of them is a secret;
 * - an existing system topic is reused in its own resource group, keeping what it has;
 * - the dead-letter role is named from the topic's principal; basic-auth publishing is off;
 *   delivery failures are logged, and dead-lettered or dropped events of this deployment's
 *   subscriptions raise an alert; table access is logged, and the storage network can be closed;
 * - main.bicep holds no Event Grid subscription (the postdeploy hook deploys them alone);
 * - every setting a user may tune is a parameter bound to an azd environment value, and no
 *   parameter makes azd prompt before the preprovision hook;
 * - main.parameters.json, the outputs the hooks read, and azure.yaml agree with the templates.
 *
 * Without a Bicep CLI these tests are skipped, with one line that says how to get one; under CI
 * (CI=true) a missing CLI is a failure.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../src/index.js';
import { DELIVERY_REPORT_EVENT_TYPE, EMAIL_EVENT_TYPES, ENGAGEMENT_REPORT_EVENT_TYPE } from '../src/events/emailEvent.js';
import { registeredFunctions } from '../src/registry.js';
import { EVENT_GRID_WEBHOOK_PATH } from '../scripts/localHost.js';
import * as appSettingNames from '../src/settings.js';
import { DEFAULT_EVENTS_TABLE, DEFAULT_RETENTION_SCHEDULE, FALLBACK_STORAGE_SETTING, readSettings, STORAGE_SETTING, TABLE_SETTING } from '../src/settings.js';
import {
  type ArmTemplate,
  BICEP_ENTRY_POINTS,
  BICEP_INSTALL_HINT,
  bicepVersion,
  buildBicep,
  environmentValuesOfSettings,
  type BicepRun,
  findBicep,
  lintBicep,
} from '../scripts/bicep.js';
import { PROJECT_ROOT as ROOT } from '../scripts/tools.js';
import { evaluate, moduleOf, ofType, resourcesOf, type Scope, type Stand } from './arm.js';

const INFRA = join(ROOT, 'infra');
const bicep = findBicep();
const inCI = /^(1|true)$/i.test(process.env.CI ?? '');
if (!bicep && !inCI) console.warn(`infra tests skipped: ${BICEP_INSTALL_HINT}`);

it.runIf(inCI)('finds a Bicep CLI (required under CI)', () => {
  expect(bicep, BICEP_INSTALL_HINT).not.toBeNull();
});

function bicepFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return bicepFilesUnder(path);
    return entry.name.endsWith('.bicep') ? [path] : [];
  });
}

describe.skipIf(!bicep)(bicep ? 'infra/ with the Bicep CLI' : `infra/ with the Bicep CLI (skipped: ${BICEP_INSTALL_HINT})`, () => {
  const builds = new Map<string, BicepRun & { template: ArmTemplate | null }>();
  let lint: BicepRun;
  let brokenLint: BicepRun;
  const scratch = mkdtempSync(join(tmpdir(), 'bicep-broken-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  // Each entry point is compiled once per run, in parallel, and every check reads the result.
  beforeAll(async () => {
    // A template the compiler must reject or warn about: a property the resource type does not have,
    // and an unused parameter for the linter.
    mkdirSync(join(scratch, 'infra'));
    writeFileSync(
      join(scratch, 'infra', 'broken.bicep'),
      "param unused string\nresource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'stbroken1'\n  location: 'westeurope'\n" +
        "  kind: 'StorageV2'\n  sku: {\n    name: 'Standard_LRS'\n  }\n  properties: {\n    allowSharedKeyAcess: false\n  }\n}\n",
    );
    const [version, ...results] = await Promise.all([
      bicepVersion(bicep!),
      ...BICEP_ENTRY_POINTS.map((entry) => buildBicep(bicep!, entry)),
      lintBicep(bicep!),
      lintBicep(bicep!, scratch),
    ]);
    BICEP_ENTRY_POINTS.forEach((entry, i) => builds.set(entry, results[i] as BicepRun & { template: ArmTemplate | null }));
    [lint, brokenLint] = results.slice(BICEP_ENTRY_POINTS.length) as [BicepRun, BicepRun];
    console.log(
      `bicep ${version}: ` + [...builds].map(([entry, build]) => `${entry} built in ${build.milliseconds} ms`).join(', ') + `; lint of infra/ in ${lint.milliseconds} ms`,
    );
  }, 180_000);

  const template = (entry: (typeof BICEP_ENTRY_POINTS)[number]) => {
    const build = builds.get(entry)!;
    if (!build.template) throw new Error(`${entry} did not compile: ${build.diagnostics.join('; ')}`);
    return build.template;
  };
  const main = () => template('infra/main.bicep');

  describe('compile and lint', () => {
    it.each(BICEP_ENTRY_POINTS)('%s compiles to an ARM template with no error or warning', (entry) => {
      const build = builds.get(entry)!;
      expect(build.diagnostics).toEqual([]);
      expect(build.code).toBe(0);
      expect(resourcesOf(build.template!).length).toBeGreaterThan(0);
    });

    it('every .bicep file under infra/ lints clean; a suppressed warning says why', () => {
      expect(lint.diagnostics).toEqual([]);
      expect(lint.code).toBe(0);
      for (const path of bicepFilesUnder(INFRA)) {
        for (const line of readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('#disable-'))) {
          expect(line, relative(ROOT, path)).toMatch(/#disable-next-line( [\w-]+)+ \/\/ \S/);
        }
      }
    });

    it('catches a property the resource type does not have, and an unused parameter (the checks are not blind)', () => {
      expect(brokenLint.diagnostics).toEqual([
        expect.stringMatching(/^infra\/broken\.bicep\(1,7\) : Warning no-unused-params: .*"unused"/),
        expect.stringMatching(/^infra\/broken\.bicep\(10,5\) : Warning BCP0(37|89): The property "allowSharedKeyAcess" is not allowed/),
      ]);
    });
  });

  // ---------------------------------------------------------------------------------------------------
  // What the templates do, evaluated with chosen parameters and stand-ins for what only Azure knows.

  const PARAMS = { environmentName: 'dev', location: 'swedencentral', acsResourceName: 'acs-mail', acsResourceGroup: 'rg-mail' };
  const CLIENT_ID = '3f0e2a52-8c1b-4c8e-9d5a-2b7f6a1e4c90';
  const ROLES_CREATED_ON = '2026-03-01T10:00:02.5000000Z';
  const APP_SUBNET_ID = '/subscriptions/s/resourceGroups/rg-dev/providers/Microsoft.Network/virtualNetworks/vnet-x/subnets/app';
  const STAND: Stand = {
    moduleOutputs: {
      identity: { name: 'id-api-x', clientId: CLIENT_ID, principalId: 'app-principal' },
      storage: { name: 'stexample1234', id: '/subscriptions/s/resourceGroups/rg-dev/providers/Microsoft.Storage/storageAccounts/stexample1234' },
      monitoring: { appInsightsName: 'appi-x', logAnalyticsName: 'log-x', logAnalyticsId: '/law/log-x' },
      functionApp: { name: 'func-api-x', id: '/sites/func-api-x', uri: 'https://func-api-x.azurewebsites.net' },
      systemTopic: { name: 'topic', id: '/topics/topic', principalId: 'topic-principal' },
      systemTopicLookup: { location: 'westeurope', tags: { owner: 'ops' }, userAssignedIdentities: { '/ids/ops': { principalId: 'p', clientId: 'c' } }, source: '/acs' },
      alerts: { deadLetterAlertName: 'alert-deadletter-x', droppedEventsAlertName: 'alert-dropped-x' },
      roles: { appStorageRolesAssignedAt: ROLES_CREATED_ON },
      network: { appSubnetId: APP_SUBNET_ID },
    },
    resources: {
      'Microsoft.ManagedIdentity/userAssignedIdentities': { clientId: CLIENT_ID },
      'Microsoft.Insights/components': { ConnectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://x/' },
      'Microsoft.Storage/storageAccounts': { primaryEndpoints: { blob: 'https://stexample1234.blob.core.windows.net/' } },
      'Microsoft.EventGrid/systemTopics': { principalId: 'topic-principal' },
    },
  };
  const mainScope = (parameters: Record<string, unknown> = {}): Scope => ({ template: main(), parameters: { ...PARAMS, ...parameters }, stand: STAND });

  /** A module's template, with the parameter values main.bicep passes to it. */
  function moduleScope(name: string, parameters: Record<string, unknown> = {}): Scope & { resourceGroup: unknown; condition: unknown } {
    const outer = mainScope(parameters);
    const module = moduleOf(main(), name);
    const passed = evaluate(module.properties!.parameters, outer) as Record<string, { value: unknown }>;
    return {
      template: module.template,
      parameters: Object.fromEntries(Object.entries(passed).map(([key, { value }]) => [key, value])),
      stand: STAND,
      resourceGroup: evaluate(module.resourceGroup, outer),
      condition: module.condition === undefined ? true : evaluate(module.condition, outer),
    };
  }

  describe('Event Grid subscriptions', () => {
    const subscriptionsTemplate = () => template('infra/modules/eventSubscriptions.bicep');
    const SUBSCRIPTION_PARAMS = {
      systemTopicName: 'evgt-acs-x',
      functionAppId: '/subscriptions/s/resourceGroups/rg-dev/providers/Microsoft.Web/sites/func-api-x',
      deadLetterStorageAccountId: '/subscriptions/s/resourceGroups/rg-dev/providers/Microsoft.Storage/storageAccounts/stexample1234',
      deadLetterContainerName: 'eventgrid-deadletter',
      nameSuffix: 'x',
    };

    /** Each subscription the template creates, evaluated: one per element of its copy loop. */
    function subscriptions() {
      const t = subscriptionsTemplate();
      const [resource, ...others] = ofType(t, 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
      expect(others).toEqual([]);
      const count = evaluate(resource!.copy!.count, { template: t, parameters: SUBSCRIPTION_PARAMS }) as number;
      return Array.from({ length: count }, (_, copyIndex) => {
        const scope = { template: t, parameters: SUBSCRIPTION_PARAMS, copyIndex };
        const properties = evaluate(resource!.properties, scope) as Record<string, any>;
        const functionName = /\/functions\/([^/]+)$/.exec(properties.destination.properties.resourceId)?.[1];
        return { name: evaluate(resource!.name, scope) as string, functionName, eventTypes: properties.filter.includedEventTypes as string[], properties };
      });
    }
    const eventGridFunctions = () => registeredFunctions().filter((f) => f.trigger === 'eventGrid').map((f) => f.name);

    it('subscribe exactly the Event Grid functions the app registers', () => {
      expect(eventGridFunctions().length).toBeGreaterThan(0);
      expect(subscriptions().map((s) => s.functionName).sort()).toEqual([...eventGridFunctions()].sort());
    });

    it('filter on exactly the event types the app handles, one type per subscription, each to the function named for it', () => {
      const all = subscriptions();
      for (const subscription of all) expect(subscription.eventTypes, subscription.name).toHaveLength(1);
      expect(all.flatMap((s) => s.eventTypes).sort()).toEqual([...EMAIL_EVENT_TYPES].sort());
      expect(Object.fromEntries(all.map((s) => [s.functionName, s.eventTypes[0]]))).toEqual({
        emailDeliveryReport: DELIVERY_REPORT_EVENT_TYPE,
        emailEngagementReport: ENGAGEMENT_REPORT_EVENT_TYPE,
      });
      // Named per environment, so that two environments can share a reused topic.
      expect(all.map((s) => s.name).sort()).toEqual(['evgt-acs-x/email-delivery-x', 'evgt-acs-x/email-engagement-x']);
    });

    it('deliver one Event Grid schema event at a time to the function, retry for 24 hours, then dead-letter with the topic identity', () => {
      for (const { name, properties } of subscriptions()) {
        expect(properties.destination.endpointType, name).toBe('AzureFunction');
        expect(properties.destination.properties.resourceId, name).toMatch(new RegExp(`^${SUBSCRIPTION_PARAMS.functionAppId}/functions/`));
        expect(properties.destination.properties.maxEventsPerBatch, name).toBe(1);
        expect(properties.eventDeliverySchema, name).toBe('EventGridSchema');
        expect(properties.retryPolicy, name).toEqual({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
        expect(properties.deadLetterDestination, `${name}: dead-letters with an identity, not a key`).toBeUndefined();
        expect(properties.deadLetterWithResourceIdentity, name).toEqual({
          identity: { type: 'SystemAssigned' },
          deadLetterDestination: {
            endpointType: 'StorageBlob',
            properties: { resourceId: SUBSCRIPTION_PARAMS.deadLetterStorageAccountId, blobContainerName: 'eventgrid-deadletter' },
          },
        });
      }
      // One at a time: parallel writes to subscriptions of one system topic can conflict.
      expect(ofType(subscriptionsTemplate(), 'Microsoft.EventGrid/systemTopics/eventSubscriptions')[0]!.copy).toMatchObject({ mode: 'serial', batchSize: 1 });
    });

    it('are not in main.bicep at any depth: a provision never re-PUTs them while the app restarts; the hook deploys them alone', () => {
      const declared = (t: ArmTemplate): string[] =>
        resourcesOf(t).flatMap((r) => (r.type === 'Microsoft.Resources/deployments' ? declared(r.properties!.template!) : [r.type]));
      const types = declared(main());
      expect(types).toContain('Microsoft.EventGrid/systemTopics');
      expect(types.filter((type) => /eventSubscriptions/i.test(type))).toEqual([]);
      expect(Object.keys(main().parameters!)).not.toContain('deployEventSubscriptions');
      expect(ofType(subscriptionsTemplate(), 'Microsoft.EventGrid/systemTopics/eventSubscriptions')).toHaveLength(1);
    });
  });

  describe('the system topic', () => {
    it('is created on the ACS resource in the app\'s resource group when the ACS resource has none', () => {
      const topic = moduleScope('systemTopic');
      expect(topic.resourceGroup).toBe('rg-dev');
      expect(moduleScope('systemTopicLookup').condition).toBe(false);
      expect(topic.parameters).toMatchObject({ location: 'global', tags: { 'azd-env-name': 'dev' }, userAssignedIdentities: {} });
      expect(topic.parameters.acsResourceId).toMatch(/\/resourceGroups\/rg-mail\/providers\/Microsoft\.Communication\/communicationServices\/acs-mail$/);
      const [resource] = ofType(topic.template, 'Microsoft.EventGrid/systemTopics');
      expect(evaluate(resource!.identity, topic)).toEqual({ type: 'SystemAssigned' });
      expect(evaluate(resource!.properties, topic)).toEqual({ source: topic.parameters.acsResourceId, topicType: 'Microsoft.Communication.CommunicationServices' });
    });

    it('is reused when one exists: in its own resource group, keeping its location, tags and identities, plus the one the dead-letter needs', () => {
      for (const [given, group] of [
        [{}, 'rg-mail'],
        [{ existingSystemTopicResourceGroup: 'rg-events' }, 'rg-events'],
      ] as const) {
        const parameters = { existingSystemTopicName: 'acs-mail-events', ...given };
        const lookup = moduleScope('systemTopicLookup', parameters);
        expect(lookup).toMatchObject({ condition: true, resourceGroup: group, parameters: { name: 'acs-mail-events' } });
        const topic = moduleScope('systemTopic', parameters);
        expect(topic.resourceGroup, 'not the app\'s group: azd down leaves it').toBe(group);
        expect(topic.parameters).toMatchObject({ name: 'acs-mail-events', location: 'westeurope', tags: { owner: 'ops' } });
        const [resource] = ofType(topic.template, 'Microsoft.EventGrid/systemTopics');
        expect(evaluate(resource!.identity, topic)).toEqual({ type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { '/ids/ops': {} } });
        const outputs = evaluate(main().outputs, mainScope(parameters)) as Record<string, { value: unknown }>;
        expect(outputs.EVENT_GRID_SYSTEM_TOPIC_REUSED!.value).toBe(true);
        expect(outputs.EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP!.value).toBe(group);
      }
    });

    it('sends its delivery-failure logs to the app\'s Log Analytics workspace, under a name of this environment', () => {
      const topic = moduleScope('systemTopic');
      const [setting] = ofType(topic.template, 'Microsoft.Insights/diagnosticSettings');
      const properties = evaluate(setting!.properties, topic) as { workspaceId: string; logs: { category: string; enabled: boolean }[] };
      expect(properties.workspaceId).toBe('/law/log-x');
      expect(properties.logs).toEqual([{ category: 'DeliveryFailures', enabled: true }]);
      expect(evaluate(setting!.name, topic)).toMatch(/^acs-email-status-[a-z0-9]{13}$/);
    });

    it('gives the topic identity Storage Blob Data Contributor on the dead-letter container, in an assignment named from its principal', () => {
      const role = moduleScope('deadLetterRole');
      expect(role.resourceGroup).toBe('rg-dev');
      expect(role.parameters.topicPrincipalId).toBe('topic-principal');
      const [assignment] = ofType(role.template, 'Microsoft.Authorization/roleAssignments');
      expect(assignment!.scope).toMatch(/containers/);
      const nameFor = (topicPrincipalId: string, storageAccountName = 'stexample1234') =>
        evaluate(assignment!.name, { ...role, parameters: { ...role.parameters, topicPrincipalId, storageAccountName } });
      // A recreated topic has a new principal: a new assignment, never an update of the old one.
      expect(nameFor('principal-2')).not.toBe(nameFor('topic-principal'));
      expect(nameFor('topic-principal')).toBe(nameFor('topic-principal'));
      expect(role.template.parameters).not.toHaveProperty('systemTopicName');
      expect(roleOf(evaluate(assignment!.properties, role) as Grant)).toBe('Storage Blob Data Contributor');
    });

    /** The names the postdeploy hook's subscriptions get, with the suffix main.bicep outputs for it. */
    function subscriptionNames(): string[] {
      const outputs = evaluate(main().outputs, mainScope()) as Record<string, { value: unknown }>;
      const t = template('infra/modules/eventSubscriptions.bicep');
      const [resource] = ofType(t, 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
      const parameters = { systemTopicName: 'topic', functionAppId: '/sites/f', deadLetterStorageAccountId: '/st', deadLetterContainerName: 'c', nameSuffix: outputs.EVENT_SUBSCRIPTION_SUFFIX!.value };
      const count = evaluate(resource!.copy!.count, { template: t, parameters }) as number;
      return Array.from({ length: count }, (_, copyIndex) => String(evaluate(resource!.name, { template: t, parameters, copyIndex })).split('/')[1]!);
    }

    it('raises an alert when this deployment\'s subscriptions dead-letter an event, and one when they drop one, mailed to ALERT_EMAIL when it is set', () => {
      const names = subscriptionNames();
      expect(names).toHaveLength(2);
      for (const alertEmail of ['', 'ops@contoso.com']) {
        const alerts = moduleScope('alerts', { alertEmail });
        const metricAlerts = ofType(alerts.template, 'Microsoft.Insights/metricAlerts');
        const count = evaluate(metricAlerts[0]!.copy?.count ?? 1, alerts) as number;
        const evaluated = Array.from({ length: count }, (_, copyIndex) => evaluate(metricAlerts[0]!.properties, { ...alerts, copyIndex }) as Record<string, any>);
        expect(evaluated.map((p) => p.criteria.allOf[0].metricName).sort()).toEqual(['DeadLetteredCount', 'DroppedEventCount']);
        for (const properties of evaluated) {
          expect(properties.scopes).toEqual(['/topics/topic']);
          // One criterion per alert: the criteria of one alert must all hold at once.
          expect(properties.criteria.allOf).toEqual([
            expect.objectContaining({ metricNamespace: 'Microsoft.EventGrid/systemTopics', operator: 'GreaterThan', threshold: 0, timeAggregation: 'Total' }),
          ]);
          // Only this deployment's subscriptions, named as Event Grid reports them (upper case): a shared topic's others are not ours.
          expect(properties.criteria.allOf[0].dimensions).toEqual([{ name: 'EventSubscriptionName', operator: 'Include', values: names.map((n) => n.toUpperCase()) }]);
          expect(properties.actions).toHaveLength(alertEmail ? 1 : 0);
        }
        const [group] = ofType(alerts.template, 'Microsoft.Insights/actionGroups');
        expect(evaluate(group!.condition, alerts)).toBe(Boolean(alertEmail));
      }
      const parameters = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')).parameters;
      expect(parameters.alertEmail.value).toBe('${ALERT_EMAIL}');
    });
  });

  describe('the storage account', () => {
    const account = (parameters: Record<string, unknown> = {}) => {
      const storage = moduleScope('storage', parameters);
      return evaluate(ofType(storage.template, 'Microsoft.Storage/storageAccounts')[0]!.properties, storage) as Record<string, any>;
    };

    it('logs every table read, write and delete to the Log Analytics workspace', () => {
      const storage = moduleScope('storage');
      const [setting, ...others] = ofType(storage.template, 'Microsoft.Insights/diagnosticSettings');
      expect(others).toEqual([]);
      // (This evaluator writes resourceId() as the type, then the names.)
      expect(String(evaluate(setting!.scope, storage))).toMatch(/\/Microsoft\.Storage\/storageAccounts\/tableServices\/st[a-z0-9]{13}\/default$/);
      const properties = evaluate(setting!.properties, storage) as { workspaceId: string; logs: { category: string; enabled: boolean }[] };
      expect(properties.workspaceId).toBe('/law/log-x');
      expect(properties.logs).toEqual(['StorageRead', 'StorageWrite', 'StorageDelete'].map((category) => ({ category, enabled: true })));
    });

    it('is open to any network (Entra ID sign-in only) unless STORAGE_NETWORK_RESTRICTED is set', () => {
      expect(moduleScope('network').condition).toBe(false);
      expect(account().networkAcls).toEqual({ defaultAction: 'Allow', bypass: 'AzureServices', virtualNetworkRules: [], ipRules: [] });
      const [site] = ofType(moduleScope('functionApp').template, 'Microsoft.Web/sites');
      expect(evaluate((site!.properties as any).virtualNetworkSubnetId, moduleScope('functionApp'))).toBeNull();
    });

    it('closed, admits the app through its subnet, Event Grid\'s dead-letters as a trusted service, and the addresses allowed', () => {
      const restricted = { restrictStorageNetwork: true, storageAllowedIpAddresses: ' 203.0.113.7, 198.51.100.0/24,' };
      expect(moduleScope('network', restricted).condition).toBe(true);
      const acls = account(restricted).networkAcls;
      expect(acls).toEqual({
        defaultAction: 'Deny',
        // The topic's system-assigned identity gets through a firewall only as a trusted service.
        bypass: 'AzureServices',
        virtualNetworkRules: [{ id: APP_SUBNET_ID, action: 'Allow' }],
        ipRules: [{ value: '203.0.113.7', action: 'Allow' }, { value: '198.51.100.0/24', action: 'Allow' }],
      });
      expect(account(restricted).publicNetworkAccess, 'Disabled would shut the subnet\'s service endpoint out too').toBe('Enabled');
      // The app is integrated with that very subnet...
      const app = moduleScope('functionApp', restricted);
      const [site] = ofType(app.template, 'Microsoft.Web/sites');
      expect(evaluate((site!.properties as any).virtualNetworkSubnetId, app)).toBe(APP_SUBNET_ID);
      // ... which Flex Consumption can use, and which the storage firewall knows by its service endpoint.
      const network = moduleScope('network', restricted);
      const [vnet] = ofType(network.template, 'Microsoft.Network/virtualNetworks');
      const [subnet] = (evaluate(vnet!.properties, network) as any).subnets;
      expect(subnet.properties.delegations.map((d: any) => d.properties.serviceName)).toEqual(['Microsoft.App/environments']);
      expect(subnet.properties.serviceEndpoints).toEqual([{ service: 'Microsoft.Storage' }]);
      expect(String(evaluate(network.template.outputs!.appSubnetId!.value, network))).toMatch(new RegExp(`/virtualNetworks/subnets/vnet-[a-z0-9]{13}/${subnet.name}$`));
      // Dead-lettering uses the system-assigned identity, the one a firewall admits.
      const subscriptions = ofType(template('infra/modules/eventSubscriptions.bicep'), 'Microsoft.EventGrid/systemTopics/eventSubscriptions')[0]!;
      expect((subscriptions.properties as any).deadLetterWithResourceIdentity.identity).toEqual({ type: 'SystemAssigned' });
    });
  });

  describe('the Function App', () => {
    it('runs on Flex Consumption (Node 22) as the user-assigned identity, also for its deployment package', () => {
      const app = moduleScope('functionApp');
      const [site] = ofType(app.template, 'Microsoft.Web/sites');
      expect((site!.identity as { type: string }).type).toBe('UserAssigned');
      const config = evaluate((site!.properties as any).functionAppConfig, app) as any;
      expect(config.deployment.storage.authentication.type).toBe('UserAssignedIdentity');
      expect(config.deployment.storage.value).toBe('https://stexample1234.blob.core.windows.net/app-package');
      expect(config.runtime).toEqual({ name: 'node', version: '22' });
      expect((ofType(app.template, 'Microsoft.Web/serverfarms')[0]!.sku as { name: string }).name).toBe('FC1');
      expect(evaluate(site!.tags, app)).toMatchObject({ 'azd-service-name': 'api' });
    });

    it('allows no basic-auth publishing: FTP and SCM credentials off, FTPS disabled', () => {
      const app = moduleScope('functionApp');
      const policies = ofType(app.template, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies').map((p) => [evaluate(p.name, app), p.properties]);
      expect(policies).toEqual([
        [expect.stringMatching(/^func-api-[a-z0-9]{13}\/ftp$/), { allow: false }],
        [expect.stringMatching(/^func-api-[a-z0-9]{13}\/scm$/), { allow: false }],
      ]);
      expect((ofType(app.template, 'Microsoft.Web/sites')[0]!.properties as any).siteConfig.ftpsState).toBe('Disabled');
    });
  });

  describe('sign-in: App Service Authentication in front of the app', () => {
    const SIGN_IN_CLIENT_ID = '7c1d9e20-4b3a-4f6e-8a2d-5e9f0c1b2a3d';
    const authentication = () => {
      const scope = moduleScope('authentication', { authClientId: SIGN_IN_CLIENT_ID });
      const [config] = ofType(scope.template, 'Microsoft.Web/sites/config');
      return { scope, name: evaluate(config!.name, scope), settings: evaluate(config!.properties, scope) as any };
    };

    it('is there once AUTH_CLIENT_ID names the app registration (the postprovision hook makes it), on the Function App in its group', () => {
      expect(moduleScope('authentication').condition).toBe(false);
      const { scope, name } = authentication();
      expect(scope.condition).toBe(true);
      expect(name).toBe('func-api-x/authsettingsV2');
      expect(scope.parameters).toEqual({ functionAppName: 'func-api-x', clientId: SIGN_IN_CLIENT_ID, tenantId: '00000000-0000-0000-0000-0000000000aa' });
    });

    it('signs people in with Entra ID of this tenant (v2.0 issuer), with no secret and no token store, over HTTPS only', () => {
      const { settings } = authentication();
      expect(settings.platform).toEqual({ enabled: true });
      expect(settings.identityProviders).toEqual({
        azureActiveDirectory: {
          enabled: true,
          registration: { clientId: SIGN_IN_CLIENT_ID, openIdIssuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa/v2.0' },
          validation: { allowedAudiences: [SIGN_IN_CLIENT_ID, `api://${SIGN_IN_CLIENT_ID}`] },
        },
      });
      expect(settings.login).toEqual({ tokenStore: { enabled: false } });
      expect(settings.httpSettings).toEqual({ requireHttps: true });
    });

    it('lets keyed machines and Event Grid (its system key) through to the host, and leaves the webhook out of it altogether; the app requires sign-in on the people\'s routes', () => {
      const { settings } = authentication();
      // Required authentication would turn away every request with a key and no token (docs/authentication.md).
      expect(settings.globalValidation).toEqual({ requireAuthentication: false, unauthenticatedClientAction: 'AllowAnonymous', excludedPaths: [EVENT_GRID_WEBHOOK_PATH] });
      const http = registeredFunctions().flatMap((fn) => (fn.trigger === 'http' ? [fn.options] : []));
      // Anonymous to the host: the page, its files, this document, and the people's routes, where the app checks the role.
      expect(http.filter((options) => options.authLevel === 'anonymous').map((options) => options.route).sort()).toEqual([
        'activity',
        'activity/{asset}',
        'openapi.json',
        ...http.filter((options) => options.route!.startsWith('signed-in/')).map((options) => options.route!),
      ].sort());
      expect(http.filter((options) => options.authLevel !== 'anonymous').every((options) => options.authLevel === 'function')).toBe(true);
    });

    it('is the same template in main.bicep as the one the postprovision hooks deploy alone, with exactly the parameters it declares', () => {
      const { metadata: _inMain, ...inMain } = moduleOf(main(), 'authentication').template as ArmTemplate & { metadata?: unknown };
      const { metadata: _alone, ...alone } = template('infra/modules/authentication.bicep') as ArmTemplate & { metadata?: unknown };
      expect(inMain).toEqual(alone);
      const declared = Object.keys(alone.parameters!).sort();
      for (const hook of ['postprovision.sh', 'postprovision.ps1']) {
        const text = readFileSync(join(INFRA, 'hooks', hook), 'utf8');
        const block = text.slice(text.indexOf('--parameters')).split(/\n/)[0]!;
        expect([...block.matchAll(/"?\b([a-zA-Z]+)=/g)].map((m) => m[1]!).sort(), hook).toEqual(declared);
      }
    });
  });

  describe('app settings', () => {
    const settings = () => {
      const app = moduleScope('functionApp');
      const config = ofType(app.template, 'Microsoft.Web/sites/config').filter((c) => String(evaluate(c.name, app)).endsWith('/appsettings'));
      expect(config).toHaveLength(1);
      return { raw: config[0]!.properties as Record<string, string>, values: evaluate(config[0]!.properties, app) as Record<string, string> };
    };

    it('make readSettings choose the managed identity, the tables the storage module creates, and valid values', () => {
      const { values } = settings();
      // A connection string would win over the identity settings: there must be none.
      expect(Object.keys(values)).not.toContain(STORAGE_SETTING);
      expect(Object.keys(values)).not.toContain('AzureWebJobsStorage');
      const appSettings = readSettings(values);
      expect(appSettings.storage).toEqual({
        kind: 'identity',
        setting: `${STORAGE_SETTING}__tableServiceUri`,
        tableServiceUri: 'https://stexample1234.table.core.windows.net',
        clientId: CLIENT_ID,
      });
      expect(values[TABLE_SETTING]).toBe(DEFAULT_EVENTS_TABLE);
      const storage = moduleScope('storage');
      const tables = ofType(storage.template, 'Microsoft.Storage/storageAccounts/tableServices/tables').map((t) => String(evaluate(t.name, storage)).split('/').at(-1));
      expect(tables.sort()).toEqual([appSettings.eventsTable, appSettings.quarantineTable, appSettings.indexTable].sort());
      expect(appSettings.retentionDays).toBe(90);
    });

    it('reach the host storage and Application Insights with the same identity; Flex Consumption settings only', () => {
      const { values } = settings();
      expect(values).toMatchObject({
        AzureWebJobsStorage__accountName: 'stexample1234',
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: CLIENT_ID,
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `ClientId=${CLIENT_ID};Authorization=AAD`,
      });
      expect(Object.keys(values)).not.toContain('FUNCTIONS_WORKER_RUNTIME');
      expect(Object.keys(values)).not.toContain('FUNCTIONS_EXTENSION_VERSION');
    });

    it('hold no secret: no key, SAS or connection string with a credential, no list*() call, no secure parameter anywhere', () => {
      const { raw } = settings();
      for (const [name, expression] of Object.entries(raw)) {
        expect(name).not.toMatch(/AccountKey|SharedAccess|Password|Secret|ApiKey|_KEY$|SAS/i);
        if (name !== 'APPLICATIONINSIGHTS_CONNECTION_STRING') expect(name).not.toMatch(/ConnectionString|CONNECTION_STRING/i);
        expect(expression, name).not.toMatch(/\blist\w*\(|AccountKey=|SharedAccessSignature|[?&]sig=/i);
      }
      for (const entry of BICEP_ENTRY_POINTS) {
        const text = JSON.stringify(template(entry));
        expect(text, entry).not.toMatch(/\blist(Keys|AccountSas|ServiceSas|ConnectionStrings|Secrets)\(/);
        expect(text, entry).not.toMatch(/"type":\s*"secure(String|Object)"/);
      }
    });

    // The settings src/settings.ts names, but for the storage connection, which the template derives
    // from the resources it creates, and ARM's origin, which in Azure is the cloud's own (the default).
    const tunable = Object.entries(appSettingNames)
      .filter(([name, value]) => name.endsWith('_SETTING') && typeof value === 'string' && ![STORAGE_SETTING, FALLBACK_STORAGE_SETTING, appSettingNames.ARM_ENDPOINT_SETTING].includes(value))
      .map(([, value]) => value as string);

    it('set every setting a user may tune from a main.bicep parameter bound to an azd environment value, so that the next provision keeps it', () => {
      expect(tunable.length).toBeGreaterThanOrEqual(4);
      const parametersFile = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')).parameters;
      const bound = environmentValuesOfSettings(main(), parametersFile);
      expect(Object.keys(bound).sort()).toEqual([...tunable].sort());
      expect(bound).toMatchObject({
        [appSettingNames.TABLE_SETTING]: { name: 'EMAIL_EVENTS_TABLE', fallback: DEFAULT_EVENTS_TABLE },
        [appSettingNames.RETENTION_DAYS_SETTING]: { name: 'RETENTION_DAYS', fallback: String(appSettingNames.DEFAULT_RETENTION_DAYS) },
        [appSettingNames.RETENTION_SCHEDULE_SETTING]: { name: 'RETENTION_SCHEDULE' },
        [appSettingNames.REDACT_LINKS_SETTING]: { name: 'REDACT_LINKS' },
      });
      // Not blind: a setting written as a constant is not bound to anything.
      const constant = structuredClone(main());
      const config = ofType(moduleOf(constant, 'functionApp').template, 'Microsoft.Web/sites/config')[0]!;
      (config.properties as Record<string, string>)[appSettingNames.REDACT_LINKS_SETTING] = 'false';
      expect(Object.keys(environmentValuesOfSettings(constant, parametersFile))).not.toContain(appSettingNames.REDACT_LINKS_SETTING);
    });

    it('carry the values chosen in the azd environment to the app, and leave the app its defaults when none is chosen', () => {
      const valuesWith = (parameters: Record<string, unknown>) => {
        const app = moduleScope('functionApp', parameters);
        const [config] = ofType(app.template, 'Microsoft.Web/sites/config').filter((c) => String(evaluate(c.name, app)).endsWith('/appsettings'));
        return readSettings(evaluate(config!.properties, app) as Record<string, string>);
      };
      expect(valuesWith({})).toMatchObject({ eventsTable: DEFAULT_EVENTS_TABLE, retentionDays: 90, retentionSchedule: DEFAULT_RETENTION_SCHEDULE, redactLinks: true });
      expect(valuesWith({ eventsTableName: 'MailEvents', retentionDays: 30, retentionSchedule: '0 15 4 * * *', redactLinks: 'false' })).toMatchObject({
        eventsTable: 'MailEvents',
        retentionDays: 30,
        retentionSchedule: '0 15 4 * * *',
        redactLinks: false,
      });
      expect(main().parameters!.redactLinks).toMatchObject({ allowedValues: ['', 'true', 'false'] });
    });

    it('are backed by storage with shared keys off and Application Insights with local auth off', () => {
      const storage = moduleScope('storage');
      const account = ofType(storage.template, 'Microsoft.Storage/storageAccounts')[0]!.properties as Record<string, unknown>;
      expect(account).toMatchObject({ allowSharedKeyAccess: false, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2' });
      const monitoring = moduleOf(main(), 'monitoring').template;
      expect(ofType(monitoring, 'Microsoft.Insights/components')[0]!.properties).toMatchObject({ DisableLocalAuth: true });
    });
  });

  describe('managed identity roles', () => {
    it('give the app identity blob owner and table contributor on its own account, metrics publisher on App Insights, nothing else', () => {
      const roles = moduleScope('roles', { principalId: 'me' });
      const grants = ofType(roles.template, 'Microsoft.Authorization/roleAssignments')
        .filter((r) => evaluate(r.condition ?? true, roles))
        .map((r) => {
          const properties = evaluate(r.properties, roles) as Grant;
          return { principal: properties.principalId, role: roleOf(properties), scope: String(evaluate(r.scope, roles)).split('/providers/')[1] };
        });
      expect(grants).toEqual([
        { principal: 'app-principal', role: 'Storage Blob Data Owner', scope: 'Microsoft.Storage/storageAccounts/stexample1234' },
        { principal: 'app-principal', role: 'Storage Table Data Contributor', scope: 'Microsoft.Storage/storageAccounts/stexample1234' },
        { principal: 'app-principal', role: 'Monitoring Metrics Publisher', scope: 'Microsoft.Insights/components/appi-x' },
        { principal: 'me', role: 'Storage Table Data Reader', scope: 'Microsoft.Storage/storageAccounts/stexample1234' },
        { principal: 'me', role: 'Storage Blob Data Contributor', scope: 'Microsoft.Storage/storageAccounts/blobServices/containers/stexample1234/default/eventgrid-deadletter' },
      ]);
    });

    it('say when the app\'s storage roles were granted: the later of the two assignments\' own creation times, never the provision\'s clock', () => {
      const roles = moduleScope('roles');
      const assignments = ofType(roles.template, 'Microsoft.Authorization/roleAssignments');
      const nameOf = (role: string) =>
        String(evaluate(assignments.find((a) => roleOf(evaluate(a.properties, roles) as Grant) === role && (evaluate(a.properties, roles) as Grant).principalId === 'app-principal')!.name, roles));
      const [blob, table] = [nameOf('Storage Blob Data Owner'), nameOf('Storage Table Data Contributor')];
      const grantedAt = (createdOn: Record<string, string>) =>
        evaluate(roles.template.outputs!.appStorageRolesAssignedAt!.value, {
          ...roles,
          stand: { ...STAND, resources: { ...STAND.resources, 'Microsoft.Authorization/roleAssignments': (id: string) => ({ createdOn: createdOn[id.split('/').at(-1)!] }) } },
        });
      expect(grantedAt({ [blob]: '2026-03-01T10:00:02.5000000Z', [table]: '2026-03-01T09:59:58.1000000Z' })).toBe('2026-03-01T10:00:02.5000000Z');
      expect(grantedAt({ [blob]: '2026-03-01T09:59:58.1000000Z', [table]: '2026-03-01T10:00:02.5000000Z' })).toBe('2026-03-01T10:00:02.5000000Z');
      const outputs = evaluate(main().outputs, mainScope()) as Record<string, { value: unknown }>;
      expect(outputs.ROLES_ASSIGNED_AT!.value).toBe(ROLES_CREATED_ON);
      // A second provision starts later, but the assignments keep their creation time: nothing in the templates reads the clock.
      for (const entry of BICEP_ENTRY_POINTS) expect(JSON.stringify(template(entry)), entry).not.toMatch(/utcNow\(/);
    });

    it('never grant Owner, Contributor or any role this file does not know', () => {
      // Every assignment in main.bicep and its modules, with the role definition id evaluated.
      const assignments = (t: ArmTemplate): Grant[] =>
        resourcesOf(t).flatMap((r) =>
          r.type === 'Microsoft.Resources/deployments'
            ? assignments(r.properties!.template!)
            : r.type === 'Microsoft.Authorization/roleAssignments'
              ? [{ principalId: '', roleDefinitionId: String(evaluate((r.properties as unknown as Grant).roleDefinitionId, { template: t, parameters: {} })) }]
              : [],
        );
      const all = assignments(main());
      expect(all.length).toBe(7);
      // The seventh is the suppression list's custom role, defined in its module (checked below), not a built-in one.
      const custom = all.filter((grant) => roleOf(grant).startsWith('unknown role'));
      expect(custom).toHaveLength(1);
      for (const grant of all.filter((grant) => !custom.includes(grant))) expect(roleOf(grant)).toMatch(/^(Storage|Monitoring) /);
    });
  });

  describe('the suppression list', () => {
    const LIST_ID = '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-mail/providers/Microsoft.Communication/emailServices/mail/domains/contoso.com/suppressionLists/app';

    it('is deployed only when SUPPRESSION_LIST_ID names one, into its email service\'s resource group, and the app is told its id', () => {
      expect(moduleScope('suppressionList').condition).toBe(false);
      const list = moduleScope('suppressionList', { suppressionListId: LIST_ID });
      expect(list.condition).toBe(true);
      expect(list.parameters).toEqual({ emailServiceName: 'mail', domainName: 'contoso.com', listName: 'app', appPrincipalId: 'app-principal' });
      expect(String(list.resourceGroup)).toMatch(/rg-mail/);
      const [created] = ofType(list.template, 'Microsoft.Communication/emailServices/domains/suppressionLists');
      expect(evaluate(created!.name, list)).toBe('mail/contoso.com/app');

      const app = (parameters: Record<string, unknown>) => {
        const scope = moduleScope('functionApp', parameters);
        const config = ofType(scope.template, 'Microsoft.Web/sites/config').find((c) => String(evaluate(c.name, scope)).endsWith('/appsettings'))!;
        return evaluate(config.properties, scope) as Record<string, string>;
      };
      // Without a list the setting is empty, which the app reads as unset (as every setting the deploy passes on).
      expect(app({}).EmailEventsSuppressionList ?? '').toBe('');
      const values = app({ suppressionListId: LIST_ID });
      expect(values.EmailEventsSuppressionList).toBe(LIST_ID);
      expect(readSettings(values).suppression.list).toMatchObject({ emailService: 'mail', domain: 'contoso.com', list: 'app' });
    });

    it('lets the app identity read, write and delete the list\'s addresses, on the email domain, and nothing more', () => {
      const list = moduleScope('suppressionList', { suppressionListId: LIST_ID });
      const [role] = ofType(list.template, 'Microsoft.Authorization/roleDefinitions');
      const properties = evaluate(role!.properties, list) as { permissions: { actions: string[]; notActions: string[] }[]; assignableScopes: string[]; type: string };
      expect(properties.type).toBe('CustomRole');
      expect(properties.permissions).toEqual([
        {
          actions: ['read', 'write', 'delete'].map((verb) => `Microsoft.Communication/emailServices/domains/suppressionLists/suppressionListAddresses/${verb}`),
          notActions: [],
        },
      ]);
      const [assignment] = ofType(list.template, 'Microsoft.Authorization/roleAssignments');
      expect((evaluate(assignment!.properties, list) as Grant).principalId).toBe('app-principal');
      // Scoped to the email domain that holds the list, not its resource group or subscription.
      expect(assignment!.scope).toBe("[resourceId('Microsoft.Communication/emailServices/domains', parameters('emailServiceName'), parameters('domainName'))]");
    });
  });

  describe('parameters and outputs', () => {
    const parametersFile = () =>
      Object.fromEntries(
        Object.entries(JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')).parameters as Record<string, { value: string }>).map(([name, { value }]) => [name, value]),
      );

    it('main.parameters.json gives main.bicep every parameter it needs from the azd environment, and no other', () => {
      const declared = main().parameters!;
      const parameters = parametersFile();
      expect(Object.keys(parameters).filter((name) => !(name in declared))).toEqual([]);
      const required = Object.entries(declared).filter(([, p]) => !('defaultValue' in p)).map(([name]) => name);
      expect(required.filter((name) => !(name in parameters))).toEqual([]);
      expect(parameters).toEqual({
        environmentName: '${AZURE_ENV_NAME}',
        location: '${AZURE_LOCATION}',
        principalId: '${AZURE_PRINCIPAL_ID}',
        principalType: '${AZURE_PRINCIPAL_TYPE=User}',
        acsResourceName: '${ACS_RESOURCE_NAME}',
        acsResourceGroup: '${ACS_RESOURCE_GROUP}',
        existingSystemTopicName: '${ACS_SYSTEM_TOPIC_NAME}',
        existingSystemTopicResourceGroup: '${ACS_SYSTEM_TOPIC_RESOURCE_GROUP}',
        alertEmail: '${ALERT_EMAIL}',
        eventsTableName: '${EMAIL_EVENTS_TABLE=EmailEvents}',
        retentionDays: '${RETENTION_DAYS=90}',
        retentionSchedule: '${RETENTION_SCHEDULE}',
        redactLinks: '${REDACT_LINKS}',
        restrictStorageNetwork: '${STORAGE_NETWORK_RESTRICTED=false}',
        storageAllowedIpAddresses: '${STORAGE_ALLOWED_IPS}',
        suppressionListId: '${SUPPRESSION_LIST_ID}',
        statisticsSchedule: '${STATISTICS_SCHEDULE}',
        suppressOn: '${SUPPRESS_ON}',
        suppressionSyncSchedule: '${SUPPRESSION_SYNC_SCHEDULE}',
        authClientId: '${AUTH_CLIENT_ID}',
      });
    });

    it('make azd prompt for nothing but its own environment name and region, so the preprovision hook is what asks for the ACS resource', () => {
      // azd prompts for a parameter that has no default and no value BEFORE the preprovision hook runs,
      // and stores the answer where the hook does not look (Azure/azure-dev#5806).
      const declared = main().parameters!;
      const prompted = Object.keys(declared).filter((name) => !('defaultValue' in declared[name]!));
      expect(prompted.sort()).toEqual(['environmentName', 'location']);
      expect(declared.acsResourceName!.defaultValue).toBe('');
      expect(declared.acsResourceGroup!.defaultValue).toBe('');
      // azd's own values: AZURE_ENV_NAME always set, AZURE_LOCATION asked by azd itself.
      expect(parametersFile()).toMatchObject({ environmentName: '${AZURE_ENV_NAME}', location: '${AZURE_LOCATION}' });
      // The hooks then refuse to go on without the ACS resource (test/hooks.test.ts runs them).
      for (const hook of ['preprovision.sh', 'preprovision.ps1']) {
        expect(readFileSync(join(INFRA, 'hooks', hook), 'utf8'), hook).toContain('Set the ACS resource first: azd env set ACS_RESOURCE_NAME <name>; azd env set ACS_RESOURCE_GROUP <its resource group>');
      }
    });

    // Values the hooks read that azd or the user set, not the template.
    const NOT_OUTPUTS = new Set(['AUTH_CLIENT_ID', 'AUTH_SIGN_IN', 'AZURE_PRINCIPAL_ID', 'AZURE_PRINCIPAL_TYPE', 'AZURE_ENV_NAME', 'AZURE_SUBSCRIPTION_ID', 'ACS_RESOURCE_NAME', 'ACS_RESOURCE_GROUP', 'ACS_SYSTEM_TOPIC_NAME', 'POSTDEPLOY_ATTEMPTS', 'POSTDEPLOY_RETRY_DELAY_SECONDS', 'ROLE_PROPAGATION_SECONDS']);

    it('main.bicep outputs every value the hooks read, and those azd and the docs use', () => {
      const outputs = Object.keys(main().outputs!);
      for (const name of ['AZURE_FUNCTION_APP_NAME', 'AZURE_RESOURCE_GROUP', 'AZURE_STORAGE_ACCOUNT_NAME', 'DEAD_LETTER_CONTAINER_NAME', 'SERVICE_API_NAME', 'SERVICE_API_URI']) {
        expect(outputs, name).toContain(name);
      }
      const hooks = readdirSync(join(INFRA, 'hooks')).map((file) => readFileSync(join(INFRA, 'hooks', file), 'utf8'));
      const read = new Set(hooks.flatMap((text) => [...text.matchAll(/\$\{([A-Z][A-Z0-9_]+)[:}]|\$env:([A-Z][A-Z0-9_]+)|\b(?:for name in|foreach \(\$name in) ([^;\n]+)/g)].flatMap((m) => (m[3] ? m[3].match(/[A-Z][A-Z0-9_]{3,}/g) ?? [] : [m[1] ?? m[2]!]))));
      expect(read.size).toBeGreaterThan(10);
      expect([...read].filter((name) => !NOT_OUTPUTS.has(name) && !outputs.includes(name))).toEqual([]);
    });

    it('the postdeploy hooks pass eventSubscriptions.bicep exactly the parameters it declares', () => {
      const declared = Object.keys(template('infra/modules/eventSubscriptions.bicep').parameters!).sort();
      for (const hook of ['postdeploy.sh', 'postdeploy.ps1']) {
        const text = readFileSync(join(INFRA, 'hooks', hook), 'utf8');
        const block = text.slice(text.indexOf('--parameters')).split(/; then|\n\s*if \(/)[0]!;
        const passed = [...block.matchAll(/"?\b([a-zA-Z]+)=/g)].map((m) => m[1]!).sort();
        expect(passed, hook).toEqual(declared);
      }
    });
  });
});

// Built-in role definition ids → names (the ones a reviewer should see, and the two that must not appear).
const ROLES: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '76199698-9eea-4c19-bc75-cec21354c6b6': 'Storage Table Data Reader',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42d9-a92b-e0f14d61b5a5': 'Contributor',
};
interface Grant {
  roleDefinitionId: string;
  principalId: string;
}
function roleOf(grant: Grant): string {
  const id = /([0-9a-f-]{36})'?\)?\]?$/.exec(grant.roleDefinitionId)?.[1];
  return (id && ROLES[id]) ?? `unknown role ${grant.roleDefinitionId}`;
}

describe('azure.yaml', () => {
  const yaml = () => readFileSync(join(ROOT, 'azure.yaml'), 'utf8');

  it('deploys one function service, api, from the folder npm run package:azure fills', () => {
    const text = yaml();
    expect(text).toMatch(/^services:\n {2}api:\n(?: {4}.*\n| *#.*\n)*? {4}project: \.\n/m);
    expect(text).toMatch(/^ {4}host: function$/m);
    expect(text).toMatch(/^ {4}dist: \.azure-package$/m);
    expect(text).toMatch(/^ {4}remoteBuild: false$/m);
    const prepackage = text.slice(text.indexOf('      prepackage:'), text.indexOf('\nhooks:'));
    expect([...prepackage.matchAll(/run: (.+)/g)].map((m) => m[1])).toEqual(['npm run package:azure', 'npm run package:azure']);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['package:azure']).toMatch(/packageForAzure/);
  });

  it('requires azd 1.24.0 or later: an older azd down deletes the reused topic\'s resource group, ACS resource and all', () => {
    expect(yaml()).toMatch(/^requiredVersions:\n {2}azd: '>= 1\.24\.0'$/m);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/azd\)? 1\.24\.0 or later/);
  });

  it('runs an existing hook script for each step, on posix and on Windows', () => {
    const text = yaml();
    const hooks = text.slice(text.search(/^hooks:$/m));
    const steps = [...hooks.matchAll(/^ {2}(\w+):$/gm)].map((m) => m[1]);
    expect(steps).toEqual(['preprovision', 'postprovision', 'predeploy', 'postdeploy', 'postdown']);
    for (const step of steps) {
      const block = hooks.slice(hooks.indexOf(`  ${step}:`)).split(/\n {2}\w+:\n/)[0]!;
      expect([...block.matchAll(/run: (\S+)/g)].map((m) => m[1]), step).toEqual([`./infra/hooks/${step}.sh`, `./infra/hooks/${step}.ps1`]);
      for (const script of [`${step}.sh`, `${step}.ps1`]) expect(readdirSync(join(INFRA, 'hooks')), script).toContain(script);
    }
  });
});
