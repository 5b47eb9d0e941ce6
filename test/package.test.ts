/**
 * The deployment package, built as azd builds it: `npm run package:azure` (the api service's prepackage
 * hook) fills the folder that azure.yaml names as the service's `dist`, and azd uploads that folder.
 * It must hold the app and its production dependencies, load with them alone, and stay small.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderSize, PACKAGE_DIR, packageForAzure } from '../scripts/packageForAzure.js';
import { PROJECT_ROOT as ROOT } from '../scripts/tools.js';
import { runCommand } from './standIns.js';
import '../src/index.js';
import { registeredFunctions } from '../src/registry.js';

const MB = 1024 * 1024;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
const scratch = mkdtempSync(join(tmpdir(), 'azure-package-'));
const out = join(scratch, 'package');
let bytes = 0;

beforeAll(() => {
  // Compiled into a folder of its own, so that a running app's dist/ is left alone.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(scratch, 'build')]);
  ({ bytes } = packageForAzure(out, ROOT, join(scratch, 'build')));
  console.log(`deployment package: ${(bytes / MB).toFixed(1)} MB; the project's node_modules: ${(folderSize(join(ROOT, 'node_modules')) / MB).toFixed(1)} MB`);
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every file under a folder, relative to it, node_modules left out. */
function ownFiles(dir: string, under = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? ownFiles(path, under) : [relative(under, path)];
  });
}

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
    const script = `await import('./dist/src/index.js'); for (const m of ${JSON.stringify(modules)}) await import(m); await import('@azure/data-tables'); await import('@azure/identity');`;
    const run = await runCommand(process.execPath, ['--input-type=module', '-e', script], {
      PATH: process.env.PATH,
      EmailEventsStorage__tableServiceUri: 'https://stexample.table.core.windows.net',
    }, out);
    expect(run.code, run.stderr).toBe(0);
    expect(modules.length).toBeGreaterThan(30);
    // Outside the Functions host, @azure/functions says what it would have registered.
    const registered = [...`${run.stdout}${run.stderr}`.matchAll(/register function "(\w+)"/g)].map((m) => m[1]).sort();
    expect(registered).toEqual(registeredFunctions().map((fn) => fn.name).sort());
  });

  it('is small: under 60 MB, and under a fifth of the project\'s node_modules', () => {
    expect(bytes).toBeGreaterThan(1 * MB);
    expect(bytes).toBeLessThan(60 * MB);
    expect(bytes).toBeLessThan(folderSize(join(ROOT, 'node_modules')) / 5);
  });
});
