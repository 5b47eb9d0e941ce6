/**
 * Finding the command-line tools the deploy and its tests use (bicep, pwsh, azd, az): on PATH first,
 * then in the project's own .tools/bin (where scripts/installBicep.sh and installPowerShell.sh put
 * them), then wherever else the caller knows of.
 */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the folder of package.json above this file (scripts/ or dist/scripts/). */
export const PROJECT_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** The path of `command`, or null. */
export function findTool(command: string, env: NodeJS.ProcessEnv = process.env, root = PROJECT_ROOT, elsewhere: string[] = []): string | null {
  const names = process.platform === 'win32' ? [`${command}.exe`, `${command}.cmd`] : [command];
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), join(root, '.tools', 'bin'), ...elsewhere];
  for (const dir of dirs) for (const name of names) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}
