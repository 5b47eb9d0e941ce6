/**
 * `npm run arm-stand-in`: the ARM stand-in (scripts/armStandIn.ts) on fixed ports, for trying the
 * suppression sync by hand with `npm start`. It prints the settings to start the app with. Ctrl-C stops it.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portSetting } from './azurite.js';
import { STAND_IN_LIST_ID, startArmStandIn } from './armStandIn.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IDENTITY_HEADER = 'arm-stand-in';

try {
  const armPort = portSetting('ARM_STAND_IN_PORT', 7443);
  const standIn = await startArmStandIn({
    certificateDir: join(root, '.arm-stand-in'),
    armPort,
    identityPort: armPort + 1,
    identityHeader: IDENTITY_HEADER,
    log: (line) => console.log(line),
  });
  const certificate = relative(root, standIn.certificatePath);
  console.log(`ARM stand-in (not Azure: it answers the ACS suppressionListAddresses API, 2025-09-01, from memory)
  ARM       ${standIn.armEndpoint}  (TLS with ${certificate}, made with openssl for localhost)
  identity  ${standIn.identityEndpoint}  (a managed identity endpoint, as App Service has)
  list      ${STAND_IN_LIST_ID}
What it holds: curl ${standIn.identityEndpoint.replace('/msi/token', '/stand-in/addresses')}

Start the app against it, in another terminal:
  NODE_EXTRA_CA_CERTS=${certificate} IDENTITY_ENDPOINT=${standIn.identityEndpoint} IDENTITY_HEADER=${IDENTITY_HEADER} \\
  EmailEventsArmEndpoint=${standIn.armEndpoint} EmailEventsSuppressionSyncSchedule="*/10 * * * * *" \\
  EmailEventsSuppressionList=${STAND_IN_LIST_ID} \\
  npm start
Press Ctrl-C to stop.`);
  const stop = () => void standIn.close().then(() => process.exit(0));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(code === 'EADDRINUSE' ? 'A port of the ARM stand-in is in use: set ARM_STAND_IN_PORT to another (it takes that port and the next).' : error instanceof Error ? error.message : String(error));
  process.exit(1);
}
