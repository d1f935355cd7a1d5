import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id is a const enum (2); named here because isolated modules cannot read const enums.
const ARGON2ID = 2 as never;

export const hashPassword = (pw: string) =>
  hash(pw, { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 });
export async function verifyPassword(stored: string, pw: string) {
  try {
    return await verify(stored, pw);
  } catch {
    return false;
  }
}
/** Compared against when the account does not exist, so that timing does not tell which accounts exist. */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$ZMaRI1/fNnNXavvw2Mt0UQ$WCzKYQqKjXz1OtRurXoJySwi72wgp+v4MT8VUI9hUaI';
