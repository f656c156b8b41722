/** Shared helpers of the core/prompts tests. */
import { expect } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';

/** Awaits `work`, which must fail with an InputError, and returns that error. */
export async function inputError(work: () => Promise<unknown> | unknown): Promise<InputError> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}
