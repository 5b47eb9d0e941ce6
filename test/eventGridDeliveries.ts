/**
 * Deliveries as Event Grid makes them, for the flood tests: one event per POST (Event Grid's default
 * batch size), many at once, and redelivery of every delivery that did not get a 2xx.
 */
import { pool } from '../scripts/pool.js';
import { sendEvents } from '../scripts/sendSample.js';

/** Event Grid gives up on a delivery that has no answer after 30 s, and retries it later. */
const DELIVERY_TIMEOUT_MS = 30_000;

/** The status a delivery got when no answer came at all (connection refused or reset, or timed out). */
export const NO_ANSWER = 0;

export const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** Posts one event as Event Grid does; the answer's status, or NO_ANSWER. */
export async function deliver(baseUrl: string, event: object): Promise<number> {
  try {
    const [delivery] = await sendEvents([event], { baseUrl, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
    return delivery!.status;
  } catch {
    return NO_ANSWER;
  }
}

export interface FloodResult {
  /** The status of each delivery, by its index. */
  statuses: number[];
  ms: number;
}

/**
 * Posts every delivery once, `concurrency` at a time. `answered` is told how many deliveries have had
 * their answer so far, after each one, so that a test can bring a fault in mid-flood.
 */
export async function flood(baseUrl: string, deliveries: readonly object[], concurrency: number, answered: (count: number, status: number) => void = () => {}): Promise<FloodResult> {
  const statuses: number[] = new Array<number>(deliveries.length).fill(NO_ANSWER);
  let count = 0;
  const started = performance.now();
  await pool(deliveries, concurrency, async (event, index) => {
    statuses[index] = await deliver(baseUrl, event);
    answered(++count, statuses[index]);
  });
  return { statuses, ms: performance.now() - started };
}

/**
 * Event Grid-style redelivery: every delivery whose last answer was not a 2xx is posted again with the
 * same body, round after round, with a pause between rounds (Event Grid backs off), until each has had
 * a 2xx or the rounds run out. Updates `statuses`; returns how many rounds ran and how many posts.
 */
export async function redeliver(
  baseUrl: string,
  deliveries: readonly object[],
  statuses: number[],
  { concurrency, rounds = 10, pauseMs = 250 }: { concurrency: number; rounds?: number; pauseMs?: number },
): Promise<{ rounds: number; posts: number }> {
  let posts = 0;
  for (let round = 1; round <= rounds; round++) {
    const pending = statuses.flatMap((status, index) => (isSuccess(status) ? [] : [index]));
    if (pending.length === 0) return { rounds: round - 1, posts };
    if (round > 1) await new Promise((resume) => setTimeout(resume, pauseMs));
    posts += pending.length;
    await pool(pending, concurrency, async (index) => {
      statuses[index] = await deliver(baseUrl, deliveries[index]!);
    });
  }
  return { rounds, posts };
}
