/**
 * `npm run package:azure`: the folder azd uploads to the Function App (`dist` of the api service in
 * azure.yaml), built from what `npm run build` compiled. It holds the compiled app (dist/src), host.json,
 * package.json with its lock file, and the production dependencies only, installed from the lock file:
 * the project's own node_modules also holds the development tools (TypeScript, Vitest, Azurite, ...),
 * hundreds of megabytes the app never loads.
 *
 *   node dist/scripts/packageForAzure.js [--out <folder>]   (default: .azure-package)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

/** Fills `out` (emptied first) from the compiled output in `built` (tsc's outDir, dist/ by default). */
export function packageForAzure(out = join(PROJECT_ROOT, PACKAGE_DIR), root = PROJECT_ROOT, built = join(root, 'dist')): { out: string; bytes: number } {
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
  return { out, bytes: folderSize(out) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--out');
  const out = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]!) : undefined;
  const { out: folder, bytes } = packageForAzure(out);
  console.log(`Deployment package in ${folder}: ${(bytes / 1024 / 1024).toFixed(1)} MB (app, host.json and production dependencies).`);
}
