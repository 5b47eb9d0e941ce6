/**
 * Stand-ins for azd and az: executables placed first on PATH that record every call (arguments and the
 * environment values the hooks pass on) and answer as a test says. `azd env set` and
 * `azd env get-values` work on a small file, as azd's .env would.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Call {
  tool: string;
  args: string[];
  env: { AZURE_ENV_NAME?: string };
}

/** How a stand-in answers a command, keyed by its first words ("deployment group create"). */
export interface Answer {
  /** Exit codes of successive calls; the last one repeats. */
  exits?: number[];
  stdout?: string;
}
export type Answers = Partial<Record<'az' | 'azd', Record<string, Answer>>>;

// CommonJS, so that it runs as it is from a folder without package.json.
const STAND_IN = `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
const dir = __dirname, tool = path.basename(__filename), args = process.argv.slice(2);
const { AZURE_ENV_NAME } = process.env;
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify({ tool, args, env: { AZURE_ENV_NAME } }) + '\\n');
const envFile = path.join(dir, 'azd-env.json');
const values = fs.existsSync(envFile) ? JSON.parse(fs.readFileSync(envFile, 'utf8')) : {};
if (tool === 'azd' && args[0] === 'env' && args[1] === 'set') {
  values[args[2]] = args[3];
  fs.writeFileSync(envFile, JSON.stringify(values));
}
if (tool === 'azd' && args[0] === 'env' && args[1] === 'get-values') {
  for (const [k, v] of Object.entries(values)) process.stdout.write(k + '="' + v + '"\\n');
}
const answers = JSON.parse(fs.readFileSync(path.join(dir, 'answers.json'), 'utf8'))[tool] || {};
const key = Object.keys(answers).find((k) => args.join(' ').startsWith(k));
if (!key) process.exit(0);
const countFile = path.join(dir, 'count-' + key.replace(/\\W/g, '_'));
const n = fs.existsSync(countFile) ? Number(fs.readFileSync(countFile, 'utf8')) : 0;
fs.writeFileSync(countFile, String(n + 1));
if (answers[key].stdout) process.stdout.write(answers[key].stdout);
const exits = answers[key].exits || [0];
process.exit(exits[Math.min(n, exits.length - 1)]);
`;

export class StandIns {
  readonly dir = mkdtempSync(join(tmpdir(), 'stand-ins-'));

  constructor(tools: ('az' | 'azd')[], answers: Answers = {}, azdValues: Record<string, string> = {}) {
    writeFileSync(join(this.dir, 'answers.json'), JSON.stringify(answers));
    writeFileSync(join(this.dir, 'azd-env.json'), JSON.stringify(azdValues));
    for (const tool of tools) {
      writeFileSync(join(this.dir, tool), STAND_IN);
      chmodSync(join(this.dir, tool), 0o755);
    }
  }

  /** PATH with the stand-ins first, then node and the system's own tools: no real azd or az. */
  get path(): string {
    return [this.dir, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  }

  calls(): Call[] {
    const log = join(this.dir, 'calls.jsonl');
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Call) : [];
  }

  /** The azd environment values, as `azd env set` left them. */
  azdEnv(): Record<string, string> {
    return JSON.parse(readFileSync(join(this.dir, 'azd-env.json'), 'utf8')) as Record<string, string>;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  milliseconds: number;
}

/**
 * The environment a hook's shell starts with: HOME and .NET's root, PowerShell's telemetry and update
 * check off (it starts faster without them), and a cache folder of its own. PowerShell keeps a
 * multicore-JIT startup profile in its cache folder (~/.cache/powershell/StartupProfileData-*), and
 * shells started at once that share it can corrupt it, so that a later one aborts on start
 * (PowerShell/PowerShell#26528: SIGABRT, "The given assembly name was invalid"); the cases here start
 * several at once. Call `remove` when the shell has exited.
 */
export function shellEnvironment(env: Record<string, string | undefined>): { env: Record<string, string | undefined>; remove: () => void } {
  const cache = mkdtempSync(join(tmpdir(), 'shell-cache-'));
  const base = { HOME: process.env.HOME, DOTNET_ROOT: process.env.DOTNET_ROOT, TMPDIR: process.env.TMPDIR, POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off' };
  return { env: { ...base, XDG_CACHE_HOME: cache, ...env }, remove: () => rmSync(cache, { recursive: true, force: true }) };
}

/** Runs a command to its end with exactly the environment given (plus what `shellEnvironment` adds). */
export function runCommand(command: string, args: string[], env: Record<string, string | undefined>, cwd: string): Promise<Run> {
  const started = performance.now();
  const shell = shellEnvironment(env);
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: shell.env }, (error, stdout, stderr) => {
      shell.remove();
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, milliseconds: performance.now() - started });
    });
  });
}
