/**
 * The azd hooks in infra/hooks/, run for real (sh, and PowerShell from NuGet for the .ps1 twins)
 * against stand-in azd and az executables first on PATH: one set of cases, both shells, so that the
 * Windows hooks do what the posix ones do. No real azd or az is on PATH.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi, type OnTestFinishedHandler } from 'vitest';
import { findTool, PROJECT_ROOT as ROOT } from '../scripts/tools.js';
import { signalGroup } from './processes.js';
import { type Answers, runCommand, shellEnvironment, StandIns } from './standIns.js';

const pwsh = findTool('pwsh');
// Each case starts a shell or two, and PowerShell alone takes seconds to start on a busy machine.
vi.setConfig({ testTimeout: 120_000 });
const inCI = /^(1|true)$/i.test(process.env.CI ?? '');
const PWSH_HINT = 'No PowerShell (pwsh) found on PATH or in .tools/bin: run npm run pwsh:install (needs the .NET SDK).';
if (!pwsh && !inCI) console.warn(`PowerShell hook tests skipped: ${PWSH_HINT}`);

it.runIf(inCI)('finds PowerShell (required under CI)', () => {
  expect(pwsh, PWSH_HINT).not.toBeNull();
});

type Shell = 'sh' | 'pwsh';
type Step = 'preprovision' | 'postprovision' | 'predeploy' | 'postdeploy' | 'postdown';

// The cases run concurrently (each with stand-ins of its own): removed when all are done.
const standIns: StandIns[] = [];
afterAll(() => standIns.forEach((s) => s.remove()));

function withStandIns(tools: ('az' | 'azd')[], answers: Answers = {}) {
  const created = new StandIns(tools, answers);
  standIns.push(created);
  return created;
}

function runHook(shell: Shell, step: Step, env: Record<string, string>, tools: StandIns) {
  const environment = { PATH: tools.path, ...env };
  return shell === 'sh'
    ? runCommand('sh', [join(ROOT, 'infra/hooks', `${step}.sh`)], environment, ROOT)
    : runCommand(pwsh!, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', join(ROOT, 'infra/hooks', `${step}.ps1`)], environment, ROOT);
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

// What the provision leaves in the azd environment (main.bicep's outputs), as the hooks read it.
const SUBSCRIPTION_ID = '00000000-0000-0000-0000-0000000000a1';
const PROVISIONED = {
  AZURE_ENV_NAME: 'dev',
  AZURE_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
  EVENT_GRID_SYSTEM_TOPIC_NAME: 'evgt-acs-abc',
  EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP: 'rg-dev',
  EVENT_GRID_SYSTEM_TOPIC_REUSED: 'false',
  EVENT_GRID_DIAGNOSTIC_SETTING_NAME: 'acs-email-status-abc',
  AZURE_FUNCTION_APP_ID: '/subscriptions/s/resourceGroups/rg-dev/providers/Microsoft.Web/sites/func-api-abc',
  AZURE_STORAGE_ACCOUNT_ID: '/subscriptions/s/resourceGroups/rg-dev/providers/Microsoft.Storage/storageAccounts/stabc',
  DEAD_LETTER_CONTAINER_NAME: 'eventgrid-deadletter',
  EVENT_SUBSCRIPTION_SUFFIX: 'abc',
  POSTDEPLOY_RETRY_DELAY_SECONDS: '0',
};
const ACS = { AZURE_ENV_NAME: 'dev', AZURE_SUBSCRIPTION_ID: SUBSCRIPTION_ID, ACS_RESOURCE_NAME: 'acs-mail', ACS_RESOURCE_GROUP: 'rg-mail' };
const ACS_ID = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-mail/providers/Microsoft.Communication/communicationServices/acs-mail`;

const SHELLS = [
  { shell: 'sh' as const, skip: false, title: 'posix hooks (sh)' },
  { shell: 'pwsh' as const, skip: !pwsh, title: pwsh ? 'Windows hooks (PowerShell)' : `Windows hooks (PowerShell; skipped: ${PWSH_HINT})` },
];

describe.concurrent.each(SHELLS)('$title', ({ shell, skip }) => {
  const hook = (step: Step, env: Record<string, string>, tools: StandIns) => runHook(shell, step, env, tools);

  describe.skipIf(skip)('postdeploy', () => {
    const deployCall = (tools: StandIns) => tools.calls().filter((c) => c.tool === 'az');

    it('deploys the subscriptions alone after every deploy, the same way each time (idempotent), and touches no azd environment value', async () => {
      const tools = withStandIns(['az', 'azd']);
      const first = await hook('postdeploy', PROVISIONED, tools);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const [deploy, ...more] = deployCall(tools);
      expect(more).toEqual([]);
      expect(deploy!.args.slice(0, 3)).toEqual(['deployment', 'group', 'create']);
      const option = (name: string) => deploy!.args[deploy!.args.indexOf(name) + 1];
      expect(option('--resource-group')).toBe('rg-dev');
      expect(option('--subscription')).toBe(SUBSCRIPTION_ID);
      expect(option('--name')).toBe('event-subscriptions-abc');
      // The template deployed is the module itself, wherever the hook runs from.
      expect(resolve(ROOT, option('--template-file')!)).toBe(join(ROOT, 'infra/modules/eventSubscriptions.bicep'));
      expect(deploy!.args.slice(deploy!.args.indexOf('--parameters') + 1)).toEqual([
        'systemTopicName=evgt-acs-abc',
        `functionAppId=${PROVISIONED.AZURE_FUNCTION_APP_ID}`,
        `deadLetterStorageAccountId=${PROVISIONED.AZURE_STORAGE_ACCOUNT_ID}`,
        'deadLetterContainerName=eventgrid-deadletter',
        'nameSuffix=abc',
      ]);
      expect(lines(first.stdout).at(-1)).toBe('Event Grid subscriptions in place: email-delivery-abc -> emailDeliveryReport, email-engagement-abc -> emailEngagementReport.');

      // The second azd up (or azd deploy): the same deployment again, which changes nothing that is already
      // as declared. The flag older versions of this template kept in the azd environment means nothing now.
      const second = await hook('postdeploy', { ...PROVISIONED, DEPLOY_EVENT_SUBSCRIPTIONS: 'true' }, tools);
      expect(second.code).toBe(0);
      const [again, ...others] = deployCall(tools).slice(1);
      expect(others).toEqual([]);
      expect(again!.args.map((arg) => arg.replace(/\\/g, '/'))).toEqual(deploy!.args.map((arg) => arg.replace(/\\/g, '/')));
      expect(tools.calls().filter((c) => c.tool === 'azd')).toEqual([]);
    });

    it('tries again while Event Grid cannot see the new functions yet, and says so', async () => {
      const tools = withStandIns(['az', 'azd'], { az: { 'deployment group create': { exits: [1, 1, 0] } } });
      const result = await hook('postdeploy', PROVISIONED, tools);
      expect(result.code).toBe(0);
      expect(deployCall(tools)).toHaveLength(3);
      expect(lines(result.stderr)).toEqual([
        'Deploying the subscriptions failed (attempt 1 of 5): the new functions may not be indexed yet; trying again in 0s.',
        'Deploying the subscriptions failed (attempt 2 of 5): the new functions may not be indexed yet; trying again in 0s.',
      ]);
    });

    it('gives up after the last attempt and fails with what to run next', async () => {
      const tools = withStandIns(['az', 'azd'], { az: { 'deployment group create': { exits: [1] } } });
      const result = await hook('postdeploy', { ...PROVISIONED, POSTDEPLOY_ATTEMPTS: '3' }, tools);
      expect(result.code).toBe(1);
      expect(deployCall(tools)).toHaveLength(3);
      expect(lines(result.stderr).at(-1)).toBe('Could not deploy the Event Grid subscriptions. Check the error above, then run: azd hooks run postdeploy');
    });

    it('fails in one line without az, without a provision behind it, or outside azd', async () => {
      const noAz = withStandIns(['azd']);
      const withoutAz = await hook('postdeploy', PROVISIONED, noAz);
      expect(withoutAz.code).toBe(1);
      expect(lines(withoutAz.stderr)).toEqual([expect.stringMatching(/^Deploying the Event Grid subscriptions needs the Azure CLI \(az\)/)]);

      const tools = withStandIns(['az', 'azd']);
      const { AZURE_FUNCTION_APP_ID: _missing, ...unprovisioned } = PROVISIONED;
      const notProvisioned = await hook('postdeploy', unprovisioned, tools);
      expect(notProvisioned.code).toBe(1);
      expect(lines(notProvisioned.stderr)).toEqual(['AZURE_FUNCTION_APP_ID is not set: run azd provision first (it is an output of infra/main.bicep).']);

      const outside = await hook('postdeploy', {}, tools);
      expect(outside.code).not.toBe(0);
      expect(outside.stderr).toMatch(/AZURE_ENV_NAME is not set: run this hook through azd/);
      expect(tools.calls()).toEqual([]);
    });
  });

  describe.skipIf(skip)('predeploy', () => {
    /** Starts the hook, reads what it says it waits for, and stops it: it may mean to sleep for an hour. */
    /**
     * `atTestEnd` is the test's own onTestFinished, from its context: these cases run concurrently, and
     * the global one may attach to another case, whose end would stop this hook before it speaks.
     */
    async function announcedWait(atTestEnd: (handler: OnTestFinishedHandler) => void, rolesAssignedAt: string, propagationSeconds: string): Promise<{ said: string; seconds: number }> {
      const tools = withStandIns(['azd']);
      const { env, remove } = shellEnvironment({ PATH: tools.path, ROLES_ASSIGNED_AT: rolesAssignedAt, ROLE_PROPAGATION_SECONDS: propagationSeconds });
      const [command, ...args] = shell === 'sh' ? ['sh', join(ROOT, 'infra/hooks/predeploy.sh')] : [pwsh!, '-NoProfile', '-NonInteractive', '-File', join(ROOT, 'infra/hooks/predeploy.ps1')];
      // A group of its own, stopped whole: the pwsh tool shim and sh leave their child (dotnet, sleep) behind otherwise, sleeping for the hour.
      const child = spawn(command!, args, { env, cwd: ROOT, detached: true });
      // Stopped whatever the test finds, also when an assertion fails first; the hook may have exited already.
      atTestEnd(() => void signalGroup(child, 'SIGTERM'));
      child.once('close', remove);
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const said = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve(stdout);
        });
        child.once('exit', (code, signal) => reject(new Error(`the hook ended (${code ?? signal}) without waiting: ${stdout}${stderr}`)));
        child.once('error', reject);
      });
      expect(child.exitCode).toBeNull();
      signalGroup(child, 'SIGTERM');
      return { said, seconds: Number(/waiting (\d+)s/.exec(said)?.[1]) };
    }

    it('waits until the role assignments have had their time, counted from when they were made, and says so', async ({ onTestFinished }) => {
      const { said, seconds } = await announcedWait(onTestFinished, new Date().toISOString(), '3600');
      expect(said).toMatch(/^The app's storage roles were granted moments ago: waiting \d+s for them to apply \(until then its package upload fails with 403\)\.\.\.\n$/);
      expect(seconds).toBeGreaterThan(3500);
      expect(seconds).toBeLessThanOrEqual(3600);
      // Granted twenty minutes ago (a provision that took that long, or ran before): twenty minutes less to wait.
      const earlier = await announcedWait(onTestFinished, new Date(Date.now() - 1200_000).toISOString(), '3600');
      expect(earlier.seconds).toBeGreaterThan(2300);
      expect(earlier.seconds).toBeLessThanOrEqual(2400);
    });

    it('does not wait once that time has passed (every later deploy), without a provision, or on a time it cannot read', async () => {
      const tools = withStandIns(['azd']);
      const longAgo = await hook('predeploy', { ROLES_ASSIGNED_AT: '2026-01-01T00:00:00.1234567Z' }, tools);
      const unprovisioned = await hook('predeploy', {}, tools);
      const garbled = await hook('predeploy', { ROLES_ASSIGNED_AT: 'soon' }, tools);
      for (const result of [longAgo, unprovisioned, garbled]) expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(tools.calls()).toEqual([]);
    });
  });

  describe.skipIf(skip)('postprovision (sign-in with Microsoft Entra ID)', () => {
    const PROVISIONED_APP = {
      AZURE_ENV_NAME: 'dev',
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
      AZURE_TENANT_ID: '00000000-0000-0000-0000-0000000000t1',
      AZURE_RESOURCE_GROUP: 'rg-dev',
      AZURE_FUNCTION_APP_NAME: 'func-api-abc',
      SERVICE_API_URI: 'https://func-api-abc.azurewebsites.net',
      AZURE_PRINCIPAL_ID: '00000000-0000-0000-0000-0000000000u1',
    };
    const CHANGE_ROLE_ID = '4f8d2c61-7a3e-4b9a-9c15-2e6b0d1f7a02';
    const az = (tools: StandIns) => tools.calls().filter((c) => c.tool === 'az').map((c) => c.args);
    const option = (args: string[], name: string) => args[args.indexOf(name) + 1];

    it('on the first azd up, registers the app with both roles and the redirect, assigns the deployer, puts authentication in front and saves AUTH_CLIENT_ID', async () => {
      const tools = withStandIns(['az', 'azd'], {
        az: { 'ad app create': { stdout: 'client-1\n' }, 'ad sp create': { stdout: 'sp-1\n' }, 'rest --method GET': { stdout: '0\n' } },
      });
      const result = await hook('postprovision', PROVISIONED_APP, tools);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const calls = az(tools);
      expect(calls.map((args) => args.slice(0, 3).join(' '))).toEqual([
        'ad app list',
        'ad app create',
        'ad app update',
        'ad sp list',
        'ad sp create',
        'ad sp update',
        'rest --method GET',
        'rest --method POST',
        'deployment group create',
      ]);
      const create = calls[1]!;
      expect(option(create, '--display-name')).toBe('acs-email-status-dev');
      expect(option(create, '--sign-in-audience')).toBe('AzureADMyOrg');
      expect(option(create, '--enable-id-token-issuance')).toBe('true');
      expect(option(create, '--web-redirect-uris')).toBe('https://func-api-abc.azurewebsites.net/.auth/login/aad/callback');
      expect(option(create, '--app-roles')).toMatch(/^@/);
      expect(option(calls[2]!, '--identifier-uris')).toBe('api://client-1');
      expect(calls[5]!).toEqual(['ad', 'sp', 'update', '--id', 'sp-1', '--set', 'appRoleAssignmentRequired=true']);
      expect(JSON.parse(option(calls[7]!, '--body')!)).toEqual({ principalId: PROVISIONED_APP.AZURE_PRINCIPAL_ID, resourceId: 'sp-1', appRoleId: CHANGE_ROLE_ID });
      const deploy = calls[8]!;
      expect(option(deploy, '--template-file')!.replace(/\\/g, '/')).toMatch(/infra\/hooks\/\.\.\/modules\/authentication\.bicep$/);
      expect(deploy.slice(deploy.indexOf('--parameters') + 1)).toEqual(['functionAppName=func-api-abc', 'clientId=client-1', `tenantId=${PROVISIONED_APP.AZURE_TENANT_ID}`]);
      expect(tools.azdEnv()).toEqual({ AUTH_CLIENT_ID: 'client-1' });
      expect(lines(result.stdout).at(-1)).toBe(
        'People sign in with Microsoft Entra ID at https://func-api-abc.azurewebsites.net/api/activity (app registration acs-email-status-dev, client-1); assign them EmailStatus.Read or EmailStatus.Change.',
      );
    });

    it('on a later azd up, updates the registration it has, assigns nobody twice and leaves the authentication to main.bicep', async () => {
      const tools = withStandIns(['az', 'azd'], { az: { 'ad sp list': { stdout: 'sp-1\n' }, 'rest --method GET': { stdout: '1\n' } } });
      const result = await hook('postprovision', { ...PROVISIONED_APP, AUTH_CLIENT_ID: 'client-1' }, tools);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(az(tools).map((args) => args.slice(0, 3).join(' '))).toEqual(['ad app update', 'ad app update', 'ad sp list', 'ad sp update', 'rest --method GET']);
      expect(tools.azdEnv()).toEqual({});
    });

    it('leaves sign-in out with AUTH_SIGN_IN=false, goes on without az (keys still work), and fails in one line when the registration cannot be made', async () => {
      const off = withStandIns(['az', 'azd']);
      expect(await hook('postprovision', { ...PROVISIONED_APP, AUTH_SIGN_IN: 'False' }, off)).toMatchObject({ code: 0, stdout: 'Sign-in with Microsoft Entra ID is off (AUTH_SIGN_IN=false): only function keys open the API.\n' });
      expect(off.calls()).toEqual([]);
      const withoutAz = await hook('postprovision', PROVISIONED_APP, withStandIns(['azd']));
      expect(withoutAz.code).toBe(0);
      expect(lines(withoutAz.stderr)).toEqual([expect.stringMatching(/^The Azure CLI \(az\) is not on PATH, so nobody can sign in yet \(function keys still work\)/)]);
      const denied = withStandIns(['az', 'azd'], { az: { 'ad app create': { exits: [1] } } });
      const failing = await hook('postprovision', PROVISIONED_APP, denied);
      expect(failing.code).toBe(1);
      expect(lines(failing.stderr).at(-1)).toMatch(/^Could not create the app registration acs-email-status-dev: your account needs permission to register applications/);
      expect(denied.azdEnv()).toEqual({});
    });
  });

  describe.skipIf(skip)('preprovision', () => {
    const topics = (rows: string[][]) => ({ az: { 'eventgrid system-topic list': { stdout: rows.map((r) => r.join('\t')).join('\n') + '\n' } } });

    it('finds the ACS resource\'s existing system topic (ids compared without case) and names it for main.bicep', async () => {
      const tools = withStandIns(['az', 'azd'], topics([
        ['other-topic', 'rg-other', '/subscriptions/x/resourceGroups/rg-other/providers/Microsoft.Storage/storageAccounts/st'],
        ['acs-mail-events', 'rg-mail', ACS_ID.toUpperCase()],
      ]));
      const result = await hook('preprovision', ACS, tools);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(tools.azdEnv()).toEqual({ ACS_SYSTEM_TOPIC_NAME: 'acs-mail-events', ACS_SYSTEM_TOPIC_RESOURCE_GROUP: 'rg-mail' });
      expect(tools.calls()[0]!.args.slice(0, 5)).toEqual(['eventgrid', 'system-topic', 'list', '--subscription', SUBSCRIPTION_ID]);
      expect(lines(result.stdout)).toEqual([
        "Reusing the ACS resource's existing Event Grid system topic acs-mail-events (resource group rg-mail): it gains an identity and a diagnostic setting, and azd down leaves it in place.",
      ]);
    });

    it('leaves the choice to provisioning when there is no topic, or it is this environment\'s own', async () => {
      for (const rows of [[], [['evgt-acs-abc', 'RG-DEV', ACS_ID]]]) {
        const tools = withStandIns(['az', 'azd'], topics(rows));
        const result = await hook('preprovision', ACS, tools);
        expect(result.code).toBe(0);
        expect(tools.azdEnv()).toEqual({});
      }
    });

    it('keeps a topic named by hand, and goes on without az (with one line on what may happen)', async () => {
      const tools = withStandIns(['az', 'azd']);
      const named = await hook('preprovision', { ...ACS, ACS_SYSTEM_TOPIC_NAME: 'mine' }, tools);
      expect(named).toMatchObject({ code: 0, stdout: 'Reusing the Event Grid system topic mine (ACS_SYSTEM_TOPIC_NAME).\n' });
      expect(tools.calls()).toEqual([]);

      const withoutAz = await hook('preprovision', ACS, withStandIns(['azd']));
      expect(withoutAz.code).toBe(0);
      expect(lines(withoutAz.stderr)).toEqual([expect.stringMatching(/^The Azure CLI \(az\) is not on PATH, so an existing system topic cannot be looked for; .*docs\/deploy\.md\.$/)]);
    });

    it('fails in one line when the ACS resource is not set, or az cannot list the topics', async () => {
      const tools = withStandIns(['az', 'azd'], { az: { 'eventgrid system-topic list': { exits: [1] } } });
      const unset = await hook('preprovision', { AZURE_ENV_NAME: 'dev' }, tools);
      expect(unset.code).toBe(1);
      expect(lines(unset.stderr)).toEqual(['Set the ACS resource first: azd env set ACS_RESOURCE_NAME <name>; azd env set ACS_RESOURCE_GROUP <its resource group>']);
      const failing = await hook('preprovision', ACS, tools);
      expect(failing.code).toBe(1);
      expect(lines(failing.stderr).at(-1)).toMatch(/^Could not list the Event Grid system topics with az: sign in with az login/);
    });
  });

  describe.skipIf(skip)('postdown', () => {
    it('leaves a topic of its own to azd down, and the azd environment as it is', async () => {
      const tools = withStandIns(['az', 'azd']);
      const result = await hook('postdown', PROVISIONED, tools);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(tools.calls()).toEqual([]);
    });

    it('removes only its own subscriptions and diagnostic setting from a reused topic, never the topic', async () => {
      const tools = withStandIns(['az', 'azd']);
      const reused = { ...PROVISIONED, EVENT_GRID_SYSTEM_TOPIC_REUSED: 'true', EVENT_GRID_SYSTEM_TOPIC_NAME: 'acs-mail-events', EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP: 'rg-mail' };
      const result = await hook('postdown', reused, tools);
      expect(result.code).toBe(0);
      const topicId = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-mail/providers/Microsoft.EventGrid/systemTopics/acs-mail-events`;
      expect(tools.calls().map((c) => [c.tool, ...c.args].join(' '))).toEqual([
        `az resource delete --only-show-errors --ids ${topicId}/eventSubscriptions/email-delivery-abc ${topicId}/eventSubscriptions/email-engagement-abc`,
        `az monitor diagnostic-settings delete --only-show-errors --name acs-email-status-abc --resource ${topicId}`,
      ]);
      expect(lines(result.stdout).at(-1)).toMatch(/the topic itself stays\.$/);

      const withoutAz = await hook('postdown', reused, withStandIns(['azd']));
      expect(withoutAz.code).toBe(1);
      expect(lines(withoutAz.stderr)).toEqual([expect.stringMatching(/^The reused system topic acs-mail-events still has this app's subscriptions email-delivery-abc and email-engagement-abc: remove them with az/)]);
    });
  });
});

describe('the Windows hooks also run on Windows PowerShell 5.1 (azd\'s fallback when pwsh is missing)', () => {
  const scripts = readdirSync(join(ROOT, 'infra/hooks')).filter((file) => file.endsWith('.ps1')).map((file) => join(ROOT, 'infra/hooks', file));
  /** What 5.1 cannot run in these files, by PowerShell's own parser (test/powerShell51.ps1). */
  const findings = async (files: string[]) => {
    const run = await runCommand(pwsh!, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', join(ROOT, 'test/powerShell51.ps1'), ...files], { PATH: process.env.PATH }, ROOT);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return lines(run.stdout).map((line) => line.replace(ROOT + '/', ''));
  };

  it.skipIf(!pwsh)('use no PowerShell 7 syntax, and Join-Path with two parts at most', async () => {
    expect(scripts.length).toBe(5);
    expect(await findings(scripts)).toEqual([]);
  });

  it.skipIf(!pwsh)('the check finds what 5.1 cannot run (it is not blind)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ps51-'));
    try {
      const file = join(dir, 'newer.ps1');
      writeFileSync(file, "$template = Join-Path $PSScriptRoot '..' 'modules' 'eventSubscriptions.bicep'\n$a = $b ?? 1\n$c = $d ? 1 : 2\naz version && azd version\n$ok = Join-Path (Split-Path $PSScriptRoot -Parent) 'modules/x.bicep'\n");
      expect((await findings([file])).map((line) => line.replace(file, 'newer.ps1'))).toEqual([
        "newer.ps1:1: Join-Path with 4 parts: Join-Path $PSScriptRoot '..' 'modules' 'eventSubscriptions.bicep'",
        'newer.ps1:2: PowerShell 7 only: $b ?? 1',
        'newer.ps1:3: PowerShell 7 only: $d ? 1 : 2',
        'newer.ps1:4: PowerShell 7 only: az version && azd version',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are plain ASCII: 5.1 reads a script without a byte order mark in the ANSI code page, where UTF-8 quotes and arrows turn into other characters', () => {
    for (const script of scripts) {
      const text = readFileSync(script, 'utf8');
      const line = text.split('\n').findIndex((l) => /[^\x00-\x7F]/.test(l));
      expect(line, `${script}:${line + 1}`).toBe(-1);
    }
  });
});
