/**
 * `npm run deploy:check`: compiles the Bicep and reads the azd environment through a stand-in azd on
 * PATH, and says in one line each what is missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BICEP_INSTALL_HINT, findBicep } from '../scripts/bicep.js';
import { checkDeployment } from '../scripts/deployCheck.js';
import { StandIns } from './standIns.js';

let created: StandIns[] = [];
afterEach(() => {
  created.forEach((s) => s.remove());
  created = [];
});
function standIns(tools: ('az' | 'azd')[], azdValues: Record<string, string> = {}) {
  const made = new StandIns(tools, {}, azdValues);
  created.push(made);
  return made;
}

const bicep = findBicep();

describe('npm run deploy:check', () => {
  it.skipIf(!bicep)('is content when the Bicep compiles and azd has the ACS resource', async () => {
    const tools = standIns(['az', 'azd'], { ACS_RESOURCE_NAME: 'acs-mail', ACS_RESOURCE_GROUP: 'rg-mail', ACS_SYSTEM_TOPIC_NAME: 'acs-mail-events' });
    // The Bicep CLI it found, whichever folder that is in.
    const result = await checkDeployment({ PATH: `${tools.path}:${join(bicep!, '..')}`, HOME: tools.dir });
    expect(result.problems).toEqual([]);
    expect(result.ok).toEqual([
      expect.stringMatching(/^infra\/main\.bicep compiles \(\d+ ms\)$/),
      expect.stringMatching(/^infra\/modules\/eventSubscriptions\.bicep compiles \(\d+ ms\)$/),
      expect.stringMatching(/^infra\/modules\/authentication\.bicep compiles \(\d+ ms\)$/),
      'bicep lint: no errors or warnings in infra/',
      'ACS_RESOURCE_NAME=acs-mail',
      'ACS_RESOURCE_GROUP=rg-mail',
      'ACS_SYSTEM_TOPIC_NAME=acs-mail-events: the existing system topic is reused',
    ]);
    expect(tools.calls().map((c) => c.args.join(' '))).toEqual(['env get-values --no-prompt']);
  }, 120_000);

  it.skipIf(!bicep)('reads the azd environment values that become app settings as the app will, and names one it would refuse at start', async () => {
    const tools = standIns(['az', 'azd'], { ACS_RESOURCE_NAME: 'acs-mail', ACS_RESOURCE_GROUP: 'rg-mail', REDACT_LINKS: 'false', RETENTION_SCHEDULE: '0 30 25 * * *' });
    const result = await checkDeployment({ PATH: `${tools.path}:${join(bicep!, '..')}`, HOME: tools.dir, RETENTION_DAYS: 'ninety' });
    expect(result.ok).toContain('REDACT_LINKS=false (app setting EmailEventsRedactLinks)');
    expect(result.problems).toEqual([
      'RETENTION_DAYS=ninety: Setting EmailEventsRetentionDays must be a whole number of days from 0 (keep everything) to 36500. Fix it with azd env set RETENTION_DAYS <value>.',
      'RETENTION_SCHEDULE=0 30 25 * * *: Setting EmailEventsRetentionSchedule has a bad hour field, "25": 25 is not from 0 to 23. Fix it with azd env set RETENTION_SCHEDULE <value>.',
    ]);
  }, 120_000);

  it('says in one line each what is missing: the Bicep CLI, azd, az, and the ACS values', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-tools-'));
    try {
      // No bicep anywhere: not on PATH, no .tools/ in the root given, no ~/.azure/bin.
      const noTools = await checkDeployment({ PATH: join(empty, 'bin'), HOME: empty }, empty);
      expect(noTools).toEqual({
        ok: [],
        problems: [
          BICEP_INSTALL_HINT,
          expect.stringMatching(/^azd is not on PATH: install the Azure Developer CLI/),
          expect.stringMatching(/^az is not on PATH: the hooks need the Azure CLI/),
          'ACS_RESOURCE_NAME is not set: azd env set ACS_RESOURCE_NAME <the name of your Azure Communication Services resource>',
          'ACS_RESOURCE_GROUP is not set: azd env set ACS_RESOURCE_GROUP <its resource group>',
        ],
      });

      // A value in the shell's environment counts as well as one in azd's.
      const tools = standIns(['azd', 'az'], { ACS_RESOURCE_GROUP: 'rg-mail' });
      const partly = await checkDeployment({ PATH: tools.path, HOME: empty }, empty);
      expect(partly.problems.slice(1)).toEqual(['ACS_RESOURCE_NAME is not set: azd env set ACS_RESOURCE_NAME <the name of your Azure Communication Services resource>']);
      const both = await checkDeployment({ PATH: tools.path, HOME: empty, ACS_RESOURCE_NAME: 'acs-mail' }, empty);
      expect(both.problems).toEqual([BICEP_INSTALL_HINT]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
