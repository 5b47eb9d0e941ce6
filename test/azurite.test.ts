/** The Azurite that npm start runs with its data on disk: what it acknowledged survives however it is stopped. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { afterAll, describe, expect, it } from 'vitest';
import { startAzurite } from '../scripts/azurite.js';

const location = mkdtempSync(join(tmpdir(), 'azurite-data-'));
afterAll(() => rmSync(location, { recursive: true, force: true }));

const client = (connectionString: string) => TableClient.fromConnectionString(connectionString, 'Saved', { allowInsecureConnection: true });

describe('Azurite on disk', () => {
  it('saves every acknowledged write when a second SIGINT comes while it is stopping', async () => {
    const written: string[] = [];
    const STOPS = 3;
    for (let run = 0; run <= STOPS; run++) {
      const azurite = await startAzurite({ location });
      const table = client(azurite.connectionString);
      const stored: string[] = [];
      try {
        if (run > 0) for await (const entity of table.listEntities()) stored.push(entity.rowKey!);
      } catch (error) {
        // The table itself was lost: its rows are what the assertion below reports.
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
      expect(stored.sort(), `after run ${run}`).toEqual([...written].sort());
      if (run === STOPS) {
        await azurite.stop();
        break;
      }
      if (run === 0) await table.createTable();
      for (let i = 0; i < 20; i++) {
        const rowKey = `run${run}-${i}`;
        await table.createEntity({ partitionKey: 'p', rowKey });
        written.push(rowKey);
      }
      // Two SIGINTs, the second while Azurite is stopping (sent together, the kernel would merge them).
      const stopping = azurite.stop();
      await new Promise((wait) => setTimeout(wait, 1));
      await Promise.all([stopping, azurite.stop()]);
    }
  }, 90_000);
});
