/**
 * Counts what a storage client sends: requests, the most in flight at once, and sequential round trips
 * (a request that starts while none is in flight starts a new one; requests issued together count once).
 * For the benchmark and the tests; pass `clientOptions` to createEventStore.
 */
import type { TableServiceClientOptions } from '@azure/data-tables';

export interface RoundTripCount {
  requests: number;
  roundTrips: number;
  mostInFlight: number;
  reset(): void;
}

export function roundTripCounter(): { count: RoundTripCount; clientOptions: TableServiceClientOptions } {
  let inFlight = 0;
  const count: RoundTripCount = {
    requests: 0,
    roundTrips: 0,
    mostInFlight: 0,
    reset() {
      count.requests = 0;
      count.roundTrips = 0;
      count.mostInFlight = 0;
    },
  };
  const clientOptions: TableServiceClientOptions = {
    additionalPolicies: [
      {
        position: 'perCall',
        policy: {
          name: 'countRoundTrips',
          async sendRequest(request, next) {
            if (inFlight++ === 0) count.roundTrips++;
            count.requests++;
            count.mostInFlight = Math.max(count.mostInFlight, inFlight);
            try {
              return await next(request);
            } finally {
              inFlight--;
            }
          },
        },
      },
    ],
  };
  return { count, clientOptions };
}
