/**
 * The deployment package, built as azd builds it: `npm run package:azure` (the api service's prepackage
 * hook) fills the folder that azure.yaml names as the service's `dist`, and azd uploads that folder.
 * It must hold the app and its production dependencies, load with them alone, and stay small: what
 * Node never loads is pruned, which is measured against the same package unpruned (size on disk,
 * zipped, and the entry point's import time).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_ONLY_DEPENDENCIES, folderSize, PACKAGE_DIR, packageForAzure } from '../scripts/packageForAzure.js';
import { PROJECT_ROOT as ROOT } from '../scripts/tools.js';
import { runCommand } from './standIns.js';
import '../src/index.js';
import { registeredFunctions } from '../src/registry.js';

const MB = 1024 * 1024;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
const scratch = mkdtempSync(join(tmpdir(), 'azure-package-'));
const out = join(scratch, 'package');
const unpruned = join(scratch, 'unpruned');
let bytes = 0;
let unprunedBytes = 0;

beforeAll(() => {
  // Compiled into a folder of its own, so that a running app's dist/ is left alone.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(scratch, 'build')]);
  ({ bytes } = packageForAzure(out, ROOT, join(scratch, 'build')));
  ({ bytes: unprunedBytes } = packageForAzure(unpruned, ROOT, join(scratch, 'build'), { prune: false }));
  console.log(`deployment package: ${(bytes / MB).toFixed(1)} MB (${(unprunedBytes / MB).toFixed(1)} MB unpruned); the project's node_modules: ${(folderSize(join(ROOT, 'node_modules')) / MB).toFixed(1)} MB`);
}, 400_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every file under a folder, relative to it, node_modules left out unless asked for. */
function ownFiles(dir: string, under = dir, withModules = false): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' && !withModules) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? ownFiles(path, under, withModules) : [relative(under, path)];
  });
}

/** About what a zip of the folder weighs: each file deflated, as zip does, plus its headers. */
function zippedSize(dir: string): number {
  return ownFiles(dir, dir, true).reduce((sum, file) => sum + deflateRawSync(readFileSync(join(dir, file))).length + 76 + 2 * file.length, 22);
}

/** Milliseconds a fresh Node takes to import the package's entry point, as the Functions worker does at start. */
async function importTime(dir: string): Promise<number> {
  const script = "const t = performance.now(); await import('./dist/src/index.js'); process.stdout.write(`import:${performance.now() - t}`);";
  const run = await runCommand(process.execPath, ['--input-type=module', '-e', script], { PATH: process.env.PATH, EmailEventsStorage__tableServiceUri: 'https://stexample.table.core.windows.net' }, dir);
  expect(run.code, run.stderr).toBe(0);
  return Number(/import:([\d.]+)/.exec(run.stdout)![1]);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('the deployment package', () => {
  it('is what azure.yaml deploys, filled by the api service\'s prepackage hook', () => {
    const yaml = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
    expect(yaml).toContain(`    dist: ${PACKAGE_DIR}\n`);
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8')).toContain(`${PACKAGE_DIR}/`);
  });

  it('holds the compiled app, host.json and package.json, and no sources, tests, scripts or source maps', () => {
    const files = ownFiles(out).sort();
    expect(files).toEqual(expect.arrayContaining(['host.json', 'package.json', 'package-lock.json', 'dist/src/index.js']));
    expect(files.filter((file) => !/^dist\/src\/.+\.js$/.test(file) && !['host.json', 'package.json', 'package-lock.json'].includes(file))).toEqual([]);
    const compiled = ownFiles(join(ROOT, 'src')).filter((file) => file.endsWith('.ts')).map((file) => `dist/src/${file.replace(/\.ts$/, '.js')}`);
    expect(files.filter((file) => file.startsWith('dist/')).sort()).toEqual(compiled.sort());
  });

  it('has the production dependencies and none of the development or optional ones', () => {
    const installed = (name: string) => existsSync(join(out, 'node_modules', name, 'package.json'));
    for (const name of Object.keys(manifest.dependencies!)) expect(installed(name), name).toBe(true);
    for (const name of [...Object.keys(manifest.devDependencies!), ...Object.keys(manifest.optionalDependencies ?? {})]) expect(installed(name), name).toBe(false);
    // Nor what only the development tools pull in.
    for (const name of ['esbuild', 'rollup', 'vite', '@esbuild']) expect(existsSync(join(out, 'node_modules', name)), name).toBe(false);
  });

  it('loads with those dependencies alone and registers every function, and every module the functions load on first use loads too', async () => {
    // The functions import most of the app on their first invocation (src/functions/onFirstUse.ts):
    // each module of the package is imported here, so that a dependency missing from it shows now.
    const modules = ownFiles(join(out, 'dist/src')).filter((file) => file.endsWith('.js')).map((file) => `./dist/src/${file}`);
    // And the credentials the app signs in with (src/storage/eventStore.ts) go as far as asking for a
    // token, through @azure/msal-node, against a managed identity endpoint that is not there.
    const credentials = `const { ManagedIdentityCredential, DefaultAzureCredential } = await import('@azure/identity');
      for (const credential of [new ManagedIdentityCredential({ clientId: '3f0e2a52-8c1b-4c8e-9d5a-2b7f6a1e4c90' }), new DefaultAzureCredential()]) {
        const error = await credential.getToken('https://storage.azure.com/.default').then(() => null, (e) => e);
        console.log('token:' + error?.name);
      }`;
    const script = `await import('./dist/src/index.js'); for (const m of ${JSON.stringify(modules)}) await import(m); await import('@azure/data-tables'); ${credentials}`;
    const run = await runCommand(process.execPath, ['--input-type=module', '-e', script], {
      PATH: process.env.PATH,
      EmailEventsStorage__tableServiceUri: 'https://stexample.table.core.windows.net',
      IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token',
      IDENTITY_HEADER: 'stand-in',
    }, out);
    expect(run.code, run.stderr).toBe(0);
    expect(modules.length).toBeGreaterThan(30);
    // Refused for want of an identity, not for a module missing from the package.
    expect([...run.stdout.matchAll(/token:(\w+)/g)].map((m) => m[1])).toEqual(['CredentialUnavailableError', 'AggregateAuthenticationError']);
    expect(run.stdout + run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    // Outside the Functions host, @azure/functions says what it would have registered.
    const registered = [...`${run.stdout}${run.stderr}`.matchAll(/register function "(\w+)"/g)].map((m) => m[1]).sort();
    expect(registered).toEqual(registeredFunctions().map((fn) => fn.name).sort());
  });

  it('ships what runs under Node: no source maps, type declarations, browser builds or @azure/msal-browser', () => {
    const files = ownFiles(out, out, true);
    expect(files.filter((file) => /\.(map|d\.[cm]?ts)$/.test(file))).toEqual([]);
    expect(files.filter((file) => /\/dist\/(browser|workerd|react-native)\/|\/dist-browser\//.test(file))).toEqual([]);
    expect(existsSync(join(out, 'node_modules/@azure/msal-browser'))).toBe(false);
    // The msal-common that only msal-browser used goes with it; msal-node keeps its own.
    expect(existsSync(join(out, 'node_modules/@azure/msal-common'))).toBe(false);
    expect(existsSync(join(out, 'node_modules/@azure/msal-node/node_modules/@azure/msal-common/package.json'))).toBe(true);
    // Unpruned, they were all there.
    expect(existsSync(join(unpruned, 'node_modules/@azure/msal-browser/package.json'))).toBe(true);
  });

  it('@azure/msal-browser is reached only through @azure/identity\'s browser build, which Node never selects', () => {
    expect(BROWSER_ONLY_DEPENDENCIES).toEqual({ '@azure/identity': ['@azure/msal-browser'] });
    const identity = join(unpruned, 'node_modules/@azure/identity');
    const nodeBuilds = ['dist/esm', 'dist/commonjs'].flatMap((build) => ownFiles(join(identity, build)).filter((f) => f.endsWith('.js')).map((f) => `${build}/${f}`));
    expect(nodeBuilds.length).toBeGreaterThan(50);
    const mentioning = (text: string) => nodeBuilds.filter((file) => readFileSync(join(identity, file), 'utf8').includes(text));
    // Node's builds name msal-browser in one module each ...
    expect(mentioning('@azure/msal-browser')).toEqual(['dist/esm/msal/browserFlows/msalBrowserCommon.js', 'dist/commonjs/msal/browserFlows/msalBrowserCommon.js']);
    // ... which no other module of those builds imports.
    expect(mentioning('msalBrowserCommon').filter((file) => !file.endsWith('/msalBrowserCommon.js'))).toEqual([]);
    // What Node resolves @azure/identity to is one of those builds.
    const exports = JSON.parse(readFileSync(join(identity, 'package.json'), 'utf8')).exports['.'];
    expect([exports.import.default, exports.require.default]).toEqual(['./dist/esm/index.js', './dist/commonjs/index.js']);
  });

  it('is small: under 12 MB on disk and 4 MB zipped, a fifth of the unpruned package, and imports no slower', async () => {
    const zipped = zippedSize(out);
    const unprunedZipped = zippedSize(unpruned);
    // Alternated, so that the machine's load weighs on both alike.
    const times: { pruned: number[]; unpruned: number[] } = { pruned: [], unpruned: [] };
    for (let i = 0; i < 5; i++) {
      times.unpruned.push(await importTime(unpruned));
      times.pruned.push(await importTime(out));
    }
    const [before, after] = [median(times.unpruned), median(times.pruned)];
    console.log(
      `package on disk ${(unprunedBytes / MB).toFixed(1)} → ${(bytes / MB).toFixed(1)} MB (×${(bytes / unprunedBytes).toFixed(2)}); ` +
        `zipped ${(unprunedZipped / MB).toFixed(1)} → ${(zipped / MB).toFixed(1)} MB (×${(zipped / unprunedZipped).toFixed(2)}); ` +
        `import of the entry point ${before.toFixed(0)} → ${after.toFixed(0)} ms (×${(after / before).toFixed(2)}, medians of 5)`,
    );
    expect(bytes).toBeGreaterThan(1 * MB);
    expect(bytes).toBeLessThan(12 * MB);
    expect(zipped).toBeLessThan(4 * MB);
    expect(bytes).toBeLessThan(unprunedBytes / 5);
    expect(bytes).toBeLessThan(folderSize(join(ROOT, 'node_modules')) / 5);
    // Pruning removes files the entry point never loaded, so its import takes as long as before (the
    // bound leaves room for the machine's noise, not for a slower start).
    expect(after).toBeLessThan(before * 1.5);
  }, 120_000);
});
