// The upload page's checks, off the main thread: per sensor folder, files, bytes, the span of the files' times and
// warnings from each file's first and last bytes (empty, all zeros, a JPEG without its end-of-image marker, a WAV whose
// RIFF size disagrees with the file's length); and, only when duplicates are to be looked up, each file's SHA-256 with
// Web Crypto. Bounded: at most HEAD + TAIL bytes are read per file for the checks; a file is hashed whole (Web Crypto
// has no streaming digest), so files larger than MAX_HASHED_BYTES are not hashed and are never called duplicates.
// The deeper checks (EXIF times, serials, MP4 boxes, sidecar sums) are ferry check's, in C#; docs/web.md says why.

export interface CheckRequest {
  files: { file: File; path: string; sensor: number }[];
  sensors: string[];
  hash: boolean;
}

export interface SensorCheck {
  folder: string;
  files: number;
  bytes: number;
  first: number | null;
  last: number | null;
  warnings: number;
  examples: string[];
}

export type CheckMessage =
  | { kind: "progress"; done: number; total: number }
  | { kind: "done"; sensors: SensorCheck[]; hashes: (string | null)[] };

export const MAX_HASHED_BYTES = 512 * 1024 * 1024;
const HEAD = 4096;
const TAIL = 4096;
const EXAMPLES = 10;

const scope = self as unknown as { onmessage: ((event: MessageEvent<CheckRequest>) => void) | null; postMessage(message: CheckMessage): void };

scope.onmessage = (event) => void run(event.data);

async function run(request: CheckRequest) {
  const sensors: SensorCheck[] = request.sensors.map((folder) => ({ folder, files: 0, bytes: 0, first: null, last: null, warnings: 0, examples: [] }));
  const hashes: (string | null)[] = new Array(request.files.length).fill(null);
  for (let i = 0; i < request.files.length; i++) {
    const { file, path, sensor } = request.files[i];
    const s = sensors[sensor];
    s.files++;
    s.bytes += file.size;
    s.first = s.first === null ? file.lastModified : Math.min(s.first, file.lastModified);
    s.last = s.last === null ? file.lastModified : Math.max(s.last, file.lastModified);
    try {
      const problem = await inspect(file);
      if (problem) {
        s.warnings++;
        if (s.examples.length < EXAMPLES) s.examples.push(`${path}: ${problem}`);
      }
      if (request.hash && file.size <= MAX_HASHED_BYTES) hashes[i] = hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
    } catch (error) {
      s.warnings++;
      if (s.examples.length < EXAMPLES) s.examples.push(`${path}: cannot be read (${(error as Error).message})`);
    }
    if (i % 200 === 199) scope.postMessage({ kind: "progress", done: i + 1, total: request.files.length });
  }
  scope.postMessage({ kind: "done", sensors, hashes });
}

/** What is wrong with the file judging by its first and last bytes, or null. */
async function inspect(file: File): Promise<string | null> {
  if (file.size === 0) return "empty file (zero bytes)";
  const head = new Uint8Array(await file.slice(0, Math.min(HEAD, file.size)).arrayBuffer());
  const tail = file.size > HEAD ? new Uint8Array(await file.slice(Math.max(HEAD, file.size - TAIL)).arrayBuffer()) : new Uint8Array(0);
  if (head.every((b) => b === 0) && tail.every((b) => b === 0)) return "all zeros where it was read (a card erased or cut mid-copy?)";
  const name = file.name.toLowerCase();
  if (/\.(jpe?g)$/.test(name)) {
    if (head[0] !== 0xff || head[1] !== 0xd8) return "not a JPEG (no start-of-image marker)";
    const end = tail.length >= 2 ? tail : head;
    if (end[end.length - 2] !== 0xff || end[end.length - 1] !== 0xd9) return "JPEG without its end-of-image marker (truncated)";
  }
  if (name.endsWith(".wav") && head.length >= 12) {
    const text = (from: number) => String.fromCharCode(...head.slice(from, from + 4));
    if (text(0) !== "RIFF" || text(8) !== "WAVE") return "not a RIFF/WAVE file";
    const riffSize = new DataView(head.buffer).getUint32(4, true);
    if (riffSize + 8 !== file.size) return `WAV RIFF size says ${riffSize + 8} bytes, the file has ${file.size}`;
  }
  return null;
}

function hex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
