/**
 * What is safe to log of an error, and to decide on: its name, the storage error code and the HTTP
 * status. Never its message: an SDK error's message can quote request URLs and service responses.
 */
export interface ErrorFacts {
  error: string;
  code?: string;
  statusCode?: number;
}

export function errorFacts(error: unknown): ErrorFacts {
  if (typeof error !== 'object' || error === null) return { error: typeof error };
  const { name, code, statusCode } = error as { name?: unknown; code?: unknown; statusCode?: unknown };
  return {
    error: typeof name === 'string' ? name : 'Error',
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
  };
}
