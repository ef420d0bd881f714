/**
 * The checks the bench scripts make of their flags: a bad value is bad input (exit 2, the
 * flag named), said before any server starts.
 */
import { targetUnavailable, type TargetKind } from './targets.ts';

/** Writes the message and exits 2. */
function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** `--name text` as a whole number from 1 to `max`. */
export function positive(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) refuse(`--${name} ${text}: expected a whole number from 1 to ${max}`);
  return n;
}

/** `--target text` as a target this machine can start. */
export function targetOf(text: string): TargetKind {
  if (text !== 's3rver' && text !== 'rgw') refuse(`--target ${text}: expected s3rver or rgw`);
  const unavailable = targetUnavailable(text);
  if (unavailable) refuse(`--target ${text}: ${unavailable}`);
  return text;
}
