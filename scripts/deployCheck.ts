/**
 * `npm run deploy:check`: what `azd up` needs, checked before it runs, without Azure. It compiles and
 * lints infra/ with the Bicep CLI, and looks for the azd environment values the template needs (in
 * the environment, else in `azd env get-values`) and the tools the hooks run; the values that become
 * app settings are read as the app will read them, so that one it would refuse at start is named now.
 * One line per missing or bad thing; exit code 1 when there is any.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readSettings, SettingsError } from '../src/settings.js';
import { type ArmTemplate, BICEP_ENTRY_POINTS, BICEP_INSTALL_HINT, buildBicep, environmentValuesOfSettings, findBicep, lintBicep } from './bicep.js';
import { findTool, PROJECT_ROOT } from './tools.js';

/** The azd environment values the preprovision hook requires (the template gives them an empty default, so that azd does not prompt first), and how to set them. */
export const REQUIRED_VALUES = {
  ACS_RESOURCE_NAME: 'the name of your Azure Communication Services resource',
  ACS_RESOURCE_GROUP: 'its resource group',
} as const;

export interface CheckResult {
  /** What is fine, one line each. */
  ok: string[];
  /** What is missing or broken, one line each. */
  problems: string[];
}

/** `azd env get-values` as a map; null when azd fails (no environment selected, for one). */
function azdValues(env: NodeJS.ProcessEnv, root: string): Promise<Record<string, string> | null> {
  return new Promise((resolve) => {
    execFile('azd', ['env', 'get-values', '--no-prompt'], { cwd: root, env }, (error, stdout) => {
      if (error) return resolve(null);
      const values: Record<string, string> = {};
      for (const line of stdout.split(/\r?\n/)) {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (match) values[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1').replace(/\\"/g, '"');
      }
      resolve(values);
    });
  });
}

/** Each azd environment value that becomes an app setting, when set, read as the app reads it at start. */
function checkSettingValues(main: ArmTemplate, root: string, valueOf: (name: string) => string | undefined, ok: string[], problems: string[]): void {
  const parametersFile = (JSON.parse(readFileSync(join(root, 'infra', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: unknown }> }).parameters;
  // A stand-in for the storage the template derives, so that only the value looked at can be refused.
  const storage = { EmailEventsStorage__tableServiceUri: 'https://stexample.table.core.windows.net' };
  for (const [setting, { name }] of Object.entries(environmentValuesOfSettings(main, parametersFile))) {
    const value = valueOf(name);
    if (!value) continue; // unset: the template's default, or the app's
    try {
      readSettings({ ...storage, [setting]: value });
      ok.push(`${name}=${value} (app setting ${setting})`);
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      problems.push(`${name}=${value}: ${error.message} Fix it with azd env set ${name} <value>.`);
    }
  }
}

export async function checkDeployment(env: NodeJS.ProcessEnv = process.env, root = PROJECT_ROOT): Promise<CheckResult> {
  const ok: string[] = [];
  const problems: string[] = [];

  const bicep = findBicep(env, root);
  let main: ArmTemplate | null = null;
  if (!bicep) {
    problems.push(BICEP_INSTALL_HINT);
  } else {
    const builds = await Promise.all(BICEP_ENTRY_POINTS.map((entry) => buildBicep(bicep, entry, root)));
    main = builds[BICEP_ENTRY_POINTS.indexOf('infra/main.bicep')]!.template;
    BICEP_ENTRY_POINTS.forEach((entry, i) => {
      const build = builds[i]!;
      if (build.code !== 0) problems.push(`${entry} does not compile: ${build.diagnostics.find((d) => / : Error /.test(d)) ?? `bicep exited with ${build.code}`}`);
      else ok.push(`${entry} compiles (${build.milliseconds} ms)`);
    });
    const lint = await lintBicep(bicep, root);
    problems.push(...lint.diagnostics.map((line) => `bicep lint: ${line}`));
    if (lint.code === 0 && lint.diagnostics.length === 0) ok.push('bicep lint: no errors or warnings in infra/');
  }

  const hasAzd = findTool('azd', env, root) !== null;
  if (!hasAzd) problems.push('azd is not on PATH: install the Azure Developer CLI (https://aka.ms/azd-install), then azd auth login.');
  if (!findTool('az', env, root)) problems.push('az is not on PATH: the hooks need the Azure CLI to find a system topic and create the Event Grid subscriptions (https://aka.ms/installazurecli), then az login.');

  const values = hasAzd ? await azdValues(env, root) : null;
  if (hasAzd && !values) problems.push('azd env get-values failed: create or select an environment with azd env new <name> (or azd env select <name>).');
  for (const [name, meaning] of Object.entries(REQUIRED_VALUES)) {
    const value = env[name] || values?.[name];
    if (value) ok.push(`${name}=${value}`);
    else problems.push(`${name} is not set: azd env set ${name} <${meaning}>`);
  }
  const topic = env.ACS_SYSTEM_TOPIC_NAME || values?.ACS_SYSTEM_TOPIC_NAME;
  if (topic) ok.push(`ACS_SYSTEM_TOPIC_NAME=${topic}: the existing system topic is reused`);
  if (main) checkSettingValues(main, root, (name) => env[name] || values?.[name], ok, problems);
  return { ok, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { ok, problems } = await checkDeployment();
  for (const line of ok) console.log(`ok  ${line}`);
  for (const line of problems) console.error(`missing  ${line}`);
  console.log(problems.length === 0 ? 'Ready for azd up.' : `${problems.length} thing(s) to fix before azd up.`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
