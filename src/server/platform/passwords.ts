import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id is a const enum (2); named here because isolated modules cannot read const enums.
const ARGON2ID = 2 as never;

/**
 * Every hash and check takes 19 MB (memoryCost) on a thread of libuv's pool, and the pool runs four at once: a
 * burst of logins lifted the server's RSS by ≈ 76 MB (issue 10's memory target is 400 MB at 100,000 instruments).
 * One runs at a time; the others wait their turn, off the event loop.
 */
export const MAX_CONCURRENT_HASHES = 1;
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next)
      next(); // the slot passes on: `running` stays as it is
    else running--;
  }
}

export const hashPassword = (pw: string) =>
  limited(() => hash(pw, { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 }));
export async function verifyPassword(stored: string, pw: string) {
  try {
    return await limited(() => verify(stored, pw));
  } catch {
    return false;
  }
}
/** Compared against when the account does not exist, so that timing does not tell which accounts exist. */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$ZMaRI1/fNnNXavvw2Mt0UQ$WCzKYQqKjXz1OtRurXoJySwi72wgp+v4MT8VUI9hUaI';
