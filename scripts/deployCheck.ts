/**
 * `npm run deploy:check`: what `azd up` needs, checked before it runs, without Azure. It compiles and
 * lints infra/ with the Bicep CLI, and looks for the azd environment values the template needs (in
 * the environment, else in `azd env get-values`) and the tools the hooks run. One line per missing
 * thing; exit code 1 when anything is missing.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { BICEP_ENTRY_POINTS, BICEP_INSTALL_HINT, buildBicep, findBicep, lintBicep } from './bicep.js';
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

export async function checkDeployment(env: NodeJS.ProcessEnv = process.env, root = PROJECT_ROOT): Promise<CheckResult> {
  const ok: string[] = [];
  const problems: string[] = [];

  const bicep = findBicep(env, root);
  if (!bicep) {
    problems.push(BICEP_INSTALL_HINT);
  } else {
    const builds = await Promise.all(BICEP_ENTRY_POINTS.map((entry) => buildBicep(bicep, entry, root)));
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
  return { ok, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { ok, problems } = await checkDeployment();
  for (const line of ok) console.log(`ok  ${line}`);
  for (const line of problems) console.error(`missing  ${line}`);
  console.log(problems.length === 0 ? 'Ready for azd up.' : `${problems.length} thing(s) to fix before azd up.`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
