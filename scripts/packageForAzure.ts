/**
 * `npm run package:azure`: the folder azd uploads to the Function App (`dist` of the api service in
 * azure.yaml), built from what `npm run build` compiled. It holds the compiled app (dist/src), host.json,
 * package.json with its lock file, and the production dependencies only, installed from the lock file:
 * the project's own node_modules also holds the development tools (TypeScript, Vitest, Azurite, ...),
 * hundreds of megabytes the app never loads.
 *
 * Then it ships what runs under Node, and nothing else: the dependencies come with source maps, type
 * declarations and builds for browsers and other runtimes that Node never selects, and with
 * @azure/msal-browser (20 MB), which @azure/identity loads only from its browser build. Those are
 * removed (see pruneForNode), which takes the package from about 42 MB to about 6 MB on disk; the
 * functions load and run without them (test/package.test.ts).
 *
 *   node dist/scripts/packageForAzure.js [--out <folder>]   (default: .azure-package)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './tools.js';

export const PACKAGE_DIR = '.azure-package';

/** What goes into the package, from the project root, besides the production node_modules. */
export const PACKAGE_FILES = ['host.json', 'package.json', 'package-lock.json'];

/** Total size of the files under a folder, in bytes. */
export function folderSize(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + folderSize(join(path, entry)), 0);
}

/**
 * Dependencies a package declares but loads only outside Node, by the package that declares them.
 * @azure/identity imports @azure/msal-browser in dist/{esm,commonjs}/msal/browserFlows/msalBrowserCommon.js
 * alone, a module that only its browser build imports (test/package.test.ts checks both).
 */
export const BROWSER_ONLY_DEPENDENCIES: Record<string, string[]> = { '@azure/identity': ['@azure/msal-browser'] };

/** Files Node never reads: source maps and type declarations. */
const NOT_FOR_NODE_FILE = /\.(map|d\.ts|d\.mts|d\.cts)$/;
/** Builds selected by the browser, workerd and react-native export conditions, which Node never sets. */
const isBuildNotForNode = (folder: string, name: string) => name === 'dist-browser' || (basename(folder) === 'dist' && ['browser', 'workerd', 'react-native'].includes(name));

interface LockedPackage {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Where Node finds `name` when `from` (a node_modules/... path, or '' for the app) imports it. */
function locate(packages: Record<string, LockedPackage>, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = dir === '.' || dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (candidate in packages) return candidate;
    if (dir === '.' || dir === '') return undefined;
  }
}

/**
 * Removes from an installed production tree what Node never loads: packages that only browser-only
 * dependencies lead to (found from npm's own record of the tree, node_modules/.package-lock.json), and
 * in the rest, source maps, type declarations and browser, workerd and react-native builds.
 */
export function pruneForNode(dir: string, roots: string[]): void {
  const packages = (JSON.parse(readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> }).packages;
  const used = new Set<string>();
  const visit = (path: string | undefined) => {
    if (!path || used.has(path)) return;
    used.add(path);
    const locked = packages[path]!;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const skipped = BROWSER_ONLY_DEPENDENCIES[name] ?? [];
    for (const dependency of Object.keys({ ...locked.dependencies, ...locked.optionalDependencies, ...locked.peerDependencies })) {
      if (!skipped.includes(dependency)) visit(locate(packages, path, dependency));
    }
  };
  for (const root of roots) visit(locate(packages, '', root));
  for (const path of Object.keys(packages)) if (!used.has(path)) rmSync(join(dir, path), { recursive: true, force: true });

  const prune = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (isBuildNotForNode(folder, entry.name)) rmSync(path, { recursive: true, force: true });
        else prune(path);
      } else if (NOT_FOR_NODE_FILE.test(entry.name)) {
        rmSync(path);
      }
    }
  };
  prune(join(dir, 'node_modules'));
}

/**
 * Fills `out` (emptied first) from the compiled output in `built` (tsc's outDir, dist/ by default).
 * `prune: false` leaves the dependencies as npm installed them (test/package.test.ts compares).
 */
export function packageForAzure(
  out = join(PROJECT_ROOT, PACKAGE_DIR),
  root = PROJECT_ROOT,
  built = join(root, 'dist'),
  { prune = true } = {},
): { out: string; bytes: number } {
  if (!existsSync(join(built, 'src', 'index.js'))) throw new Error(`${join(built, 'src', 'index.js')} is missing: run npm run build first.`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // The app only (package.json's main is dist/src/index.js): no scripts, no source maps.
  cpSync(join(built, 'src'), join(out, 'dist', 'src'), { recursive: true, filter: (path) => !path.endsWith('.map') });
  for (const file of PACKAGE_FILES) cpSync(join(root, file), join(out, file));
  // Exactly the locked versions, without devDependencies or optional ones (Core Tools), and without
  // install scripts: the production dependencies are plain JavaScript.
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: out,
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (prune) pruneForNode(out, Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies));
  return { out, bytes: folderSize(out) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--out');
  const out = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]!) : undefined;
  const { out: folder, bytes } = packageForAzure(out);
  console.log(`Deployment package in ${folder}: ${(bytes / 1024 / 1024).toFixed(1)} MB (app, host.json and production dependencies).`);
}
