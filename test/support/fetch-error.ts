// The FetchError a fetch that must fail fails with, for tests to look into.
import { expect } from 'vitest';
import { FetchError } from '../../src/ingest/fetch.js';

export async function fetchError(promise: Promise<unknown>): Promise<FetchError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FetchError);
    return error as FetchError;
  }
  throw new Error('expected a FetchError, the fetch succeeded');
}
