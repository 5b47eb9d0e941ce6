/**
 * The Bicep CLI, for `npm test` and `npm run deploy:check`: where to find it, and building and linting
 * infra/ with it. Diagnostics come back as lines ("infra/main.bicep(3,7) : Warning no-unused-params:
 * ..."), the CLI's own words.
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { findTool, PROJECT_ROOT } from './tools.js';

/** What azd deploys: the template `azd provision` runs, and the one the postdeploy hook deploys alone. */
export const BICEP_ENTRY_POINTS = ['infra/main.bicep', 'infra/modules/eventSubscriptions.bicep', 'infra/modules/authentication.bicep'] as const;

/** The one line that tells a developer without a Bicep CLI how to get one. */
export const BICEP_INSTALL_HINT =
  'No Bicep CLI found (bicep on PATH, .tools/bin/bicep, or ~/.azure/bin/bicep from azd or az): run npm run bicep:install (needs the .NET SDK), or install azd or az.';

/**
 * The Bicep CLI to use: `bicep` on PATH, else the one scripts/installBicep.sh put in .tools/bin, else
 * the one azd and az download to ~/.azure/bin. Null when there is none.
 */
export function findBicep(env: NodeJS.ProcessEnv = process.env, root = PROJECT_ROOT): string | null {
  return findTool('bicep', env, root, [join(env.HOME ?? homedir(), '.azure', 'bin')]);
}

export interface BicepRun {
  code: number;
  stdout: string;
  /** Error, warning and info lines, with paths relative to the project root. */
  diagnostics: string[];
  milliseconds: number;
}

function run(bicep: string, args: string[], root: string): Promise<BicepRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(bicep, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error); // not started at all
      const diagnostics = `${stderr}`
        .split('\n')
        .filter((line) => /\) : (Error|Warning|Info) /.test(line))
        .map((line) => line.replace(root + '/', '').replace(root + '\\', ''));
      resolve({ code: error ? Number(error.code) : 0, stdout, diagnostics, milliseconds: Math.round(performance.now() - started) });
    });
  });
}

/** Compiles one entry point to an ARM template (JSON), with the diagnostics the compiler gave. */
export async function buildBicep(bicep: string, entryPoint: string, root = PROJECT_ROOT): Promise<BicepRun & { template: ArmTemplate | null }> {
  const result = await run(bicep, ['build', entryPoint, '--stdout'], root);
  return { ...result, template: result.code === 0 ? (JSON.parse(result.stdout) as ArmTemplate) : null };
}

/** Lints every .bicep file under infra/ (modules too, not only the entry points). */
export function lintBicep(bicep: string, root = PROJECT_ROOT): Promise<BicepRun> {
  return run(bicep, ['lint', '--pattern', 'infra/**/*.bicep'], root);
}

/** The version the CLI reports ("0.49.2"). */
export async function bicepVersion(bicep: string): Promise<string> {
  const { stdout } = await run(bicep, ['--version'], PROJECT_ROOT);
  return /version (\S+)/.exec(stdout)?.[1] ?? stdout.trim();
}

/** The parts of an ARM template the checks read. */
export interface ArmTemplate {
  parameters?: Record<string, { type: string; defaultValue?: unknown; metadata?: unknown }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[] | Record<string, ArmResource>;
  outputs?: Record<string, { type: string; value: unknown }>;
}
export interface ArmResource {
  type: string;
  apiVersion?: string;
  name: string;
  condition?: unknown;
  scope?: string;
  resourceGroup?: string;
  dependsOn?: string[];
  copy?: { name: string; count: unknown; mode?: string; batchSize?: number };
  properties?: Record<string, unknown> & { template?: ArmTemplate; parameters?: Record<string, { value: unknown }> };
  [key: string]: unknown;
}

const resourceList = (template: ArmTemplate): ArmResource[] => (Array.isArray(template.resources) ? template.resources : Object.values(template.resources));
const parameterIn = (expression: unknown) => /^\[(?:string\()?parameters\('(\w+)'\)\)?\]$/.exec(String(expression))?.[1];

/** An azd environment value, as main.parameters.json binds it: `${NAME}` or `${NAME=default}`. */
export interface EnvironmentValue {
  name: string;
  /** What azd puts in when the value is unset or empty (drone/envsubst, which azd uses, treats both alike). */
  fallback?: string;
}

/**
 * Which azd environment value sets each app setting, followed through the compiled main.bicep: from
 * the app settings of its functionApp module, to the module parameter, to the main.bicep parameter
 * passed to it, to the value main.parameters.json binds that to. Settings the template derives from
 * what it creates (the storage endpoints, the identity) have none and are left out.
 */
export function environmentValuesOfSettings(main: ArmTemplate, parametersFile: Record<string, { value: unknown }>): Record<string, EnvironmentValue> {
  const module = resourceList(main).find((r) => r.type === 'Microsoft.Resources/deployments' && r.name === 'functionApp');
  const inner = module?.properties?.template;
  const config = inner && resourceList(inner).find((r) => r.type === 'Microsoft.Web/sites/config' && /'appsettings'\)?\]?$/.test(r.name));
  const found: Record<string, EnvironmentValue> = {};
  for (const [setting, expression] of Object.entries(config?.properties ?? {})) {
    const moduleParameter = parameterIn(expression);
    const mainParameter = moduleParameter && parameterIn(module!.properties!.parameters?.[moduleParameter]?.value);
    const bound = mainParameter && /^\$\{([A-Z][A-Z0-9_]*)(?:=([^}]*))?\}$/.exec(String(parametersFile[mainParameter]?.value ?? ''));
    if (bound) found[setting] = bound[2] === undefined ? { name: bound[1]! } : { name: bound[1]!, fallback: bound[2] };
  }
  return found;
}
