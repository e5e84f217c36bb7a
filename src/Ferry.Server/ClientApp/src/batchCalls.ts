// What the upload page and its batch-calls worker (batchCalls.worker.ts) send each other: a call with a batch of files
// (registration or relay) as columns, and its answer as one outcome byte per file. Apart from the worker so that the
// page takes these without the worker's code.
import type { Capture } from "./checks.worker";

/** Registers files: each file's path, size, modification time (epoch ms), SHA-256 (or null) and capture (or null), in order. */
export interface RegisterCall {
  kind: "register";
  id: number;
  url: string;
  token: string;
  skipDuplicates: boolean;
  paths: string[];
  sizes: number[];
  modified: number[];
  sha256: (string | null)[];
  captures: (Capture | null)[];
}

/** Relays files: the form's 'files' field (each path and SHA-256 or null) and the files, in the same order. */
export interface RelayCall {
  kind: "relay";
  id: number;
  url: string;
  token: string;
  paths: string[];
  sha256: (string | null)[];
  files: File[];
}

export type BatchCall = RegisterCall | RelayCall;

/** A registered file's outcome: upload it, already verified in the bucket, or a duplicate not to upload. */
export enum Registered { Pending, Uploaded, Duplicate }

/** A relayed file's outcome: failed (0, so that an outcome never set is no success), or verified in the bucket. */
export enum Relayed { Failed, Uploaded }

/**
 * The answer: the HTTP status (0: the request never got one) and, when not 2xx, its status text and the body's text
 * (for its problem detail). On 2xx: each file's outcome in the order sent (Registered or Relayed), and the texts of
 * the files that have one (a duplicate's key, a failed file's reason), by position. problem is set when a 2xx answer
 * cannot be read or does not list the files sent, in order: nothing of it is used, and trying again cannot help.
 */
export interface BatchAnswer {
  id: number;
  status: number;
  statusText: string;
  text: string;
  outcomes: Uint8Array | null;
  notes: Map<number, string> | null;
  problem: string | null;
}
