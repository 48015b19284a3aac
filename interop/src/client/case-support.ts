// gRPC interop: what the test cases check with, and the failure they report.

import { type Code, codeName } from '@shoal/rpc';
import type { InteropStub, WithPayload } from './stub.js';

export class InteropFailure extends Error {
  override name = 'InteropFailure';
}

export function fail(message: string): never {
  throw new InteropFailure(message);
}

export function checkPayload(response: WithPayload | undefined, size: number, what: string): void {
  const body = response?.payload?.body ?? new Uint8Array(0);
  if (body.byteLength !== size) fail(`${what}: payload body is ${body.byteLength} bytes, expected ${size}`);
  if (body.some((b) => b !== 0)) fail(`${what}: payload body is not all zeros`);
}

export function checkSizes(responses: WithPayload[], sizes: number[], what: string): void {
  if (responses.length !== sizes.length)
    fail(`${what}: ${responses.length} responses, expected ${sizes.length}`);
  for (const [i, size] of sizes.entries()) checkPayload(responses[i], size, `${what}: response ${i}`);
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** Runs `call` and checks that it fails with `code` (and `message`, when given). */
export async function expectStatus(
  stub: InteropStub,
  what: string,
  call: () => Promise<unknown>,
  code: Code,
  message?: string,
): Promise<void> {
  let error: unknown;
  try {
    await call();
  } catch (err) {
    error = err ?? new Error('undefined thrown');
  }
  if (error === undefined) fail(`${what}: the call succeeded, expected ${codeName(code)}`);
  const status = stub.statusOf(error);
  if (!status) fail(`${what}: failed without a gRPC status: ${String(error)}`);
  if (status.code !== code) {
    fail(`${what}: status ${codeName(status.code)} "${status.message}", expected ${codeName(code)}`);
  }
  if (message !== undefined && status.message !== message) {
    fail(`${what}: status message ${JSON.stringify(status.message)}, expected ${JSON.stringify(message)}`);
  }
}
