// The upload page's checks, off the main thread: per sensor folder, files, bytes, the span of the capture times (EXIF
// DateTimeOriginal of JPEGs, the AudioMoth or GUANO timestamp of WAVs; the files' modification times where a folder
// has none) and warnings from each file's first and last bytes (empty, all zeros, a JPEG without its end-of-image
// marker, a WAV whose RIFF size disagrees with the file's length); and, only when duplicates are to be looked up, each
// file's SHA-256 with Web Crypto. Bounded: at most HEAD + TAIL bytes are read per file for the checks (EXIF_HEAD for a
// JPEG, where the EXIF block lives); a file is hashed whole (Web Crypto has no streaming digest), so files larger than
// MAX_HASHED_BYTES are not hashed and are never called duplicates. EXIF is parsed with exifr (its "lite" build: JPEG,
// TIFF/EXIF); the AudioMoth comment and the GUANO Timestamp are one regular expression each over the header already
// read. The deeper checks (serials, clock resets, MP4 boxes, sidecar sums) are ferry check's, in C#; docs/web.md says so.
import { parse as parseExif } from "exifr/dist/lite.esm.mjs";

/**
 * What the page sends: the files in chunks ("files", each cloned in its own short task, so a 100,000-file folder
 * never blocks the page while it is handed over; as columns, file i with paths[i] in sensor folder sensors[i], so that
 * the page makes no object per file), then "run".
 */
export type CheckRequest =
  | { kind: "files"; files: File[]; paths: string[]; sensors: number[] }
  | { kind: "run"; sensors: string[]; hash: boolean };

/**
 * One sensor folder. first/last are epoch milliseconds: of capture times read as if UTC (the device's wall clock,
 * zone unknown or not applied) when times is "capture", of the files' modification times (UTC) when "file".
 */
export interface SensorCheck {
  folder: string;
  files: number;
  bytes: number;
  first: number | null;
  last: number | null;
  times: "capture" | "file";
  /** Files of the folder with a capture time (the span covers only these when times is "capture"). */
  captured: number;
  warnings: number;
  examples: string[];
}

/** What a file's headers say about its capture, as registration takes it (FileCaptureEntry). */
export interface Capture {
  captured_at: string | null;
  utc_offset_minutes: number | null;
  media_type: string | null;
  make: string | null;
  model: string | null;
  serial: string | null;
}

/** Results come back in chunks too ("results", from file offset on), then "done" with the per-folder summary. */
export type CheckMessage =
  | { kind: "progress"; done: number; total: number }
  | { kind: "results"; offset: number; hashes: (string | null)[]; captures: (Capture | null)[] }
  | { kind: "done"; sensors: SensorCheck[] };

/** Files per "results" message: small enough that the page applies each in a few milliseconds. */
const RESULTS_CHUNK = 1000;

export const MAX_HASHED_BYTES = 512 * 1024 * 1024;
const HEAD = 4096;
const TAIL = 4096;
/** How much of a JPEG is read for its EXIF block (APP1 comes first; cameras write it well within this). */
const EXIF_HEAD = 128 * 1024;
const EXAMPLES = 10;
/**
 * Files whose ends are read in one Blob read: at most READ_GROUP × (EXIF_HEAD + TAIL) bytes (8.25 MiB), and as much
 * again while each file's head is copied out of it (16.5 MiB at most).
 */
const READ_GROUP = 64;
const TEXT = 200;

const scope = self as unknown as { onmessage: ((event: MessageEvent<CheckRequest>) => void) | null; postMessage(message: CheckMessage): void };

const received: { file: File; path: string; sensor: number }[] = [];
scope.onmessage = (event) => {
  const message = event.data;
  if (message.kind === "files") message.files.forEach((file, i) => received.push({ file, path: message.paths[i], sensor: message.sensors[i] }));
  // A failure outside a file's own check is thrown where the page's Worker.onerror sees it ("The checks could not run").
  else run({ files: received, sensors: message.sensors, hash: message.hash }).catch((error: unknown) => setTimeout(() => { throw error; }));
};

async function run(request: { files: { file: File; path: string; sensor: number }[]; sensors: string[]; hash: boolean }) {
  const sensors: SensorCheck[] = request.sensors.map((folder) => ({ folder, files: 0, bytes: 0, first: null, last: null, times: "file", captured: 0, warnings: 0, examples: [] }));
  const fileSpan = request.sensors.map(() => ({ first: null as number | null, last: null as number | null }));
  let hashes: (string | null)[] = [];
  let captures: (Capture | null)[] = [];
  let offset = 0;
  let group: Promise<Ends>[] = [];
  let groupStart = 0;
  for (let i = 0; i < request.files.length; i++) {
    hashes.push(null);
    captures.push(null);
    const { file, path, sensor } = request.files[i];
    if (i === groupStart + group.length) {
      groupStart = i;
      group = readGroup(request.files.slice(i, i + READ_GROUP).map((f) => f.file));
    }
    const s = sensors[sensor];
    s.files++;
    s.bytes += file.size;
    const f = fileSpan[sensor];
    f.first = f.first === null ? file.lastModified : Math.min(f.first, file.lastModified);
    f.last = f.last === null ? file.lastModified : Math.max(f.last, file.lastModified);
    try {
      const { problem, capture } = await inspect(file, await group[i - groupStart]);
      if (problem) {
        s.warnings++;
        if (s.examples.length < EXAMPLES) s.examples.push(`${path}: ${problem}`);
      }
      captures[i - offset] = capture;
      const at = capture?.captured_at ? Date.parse(capture.captured_at + "Z") : NaN;
      if (!Number.isNaN(at)) {
        s.captured++;
        s.first = s.first === null ? at : Math.min(s.first, at);
        s.last = s.last === null ? at : Math.max(s.last, at);
      }
      if (request.hash && file.size <= MAX_HASHED_BYTES) hashes[i - offset] = hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
    } catch (error) {
      s.warnings++;
      if (s.examples.length < EXAMPLES) s.examples.push(`${path}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
    }
    if (hashes.length === RESULTS_CHUNK || i === request.files.length - 1) {
      scope.postMessage({ kind: "results", offset, hashes, captures });
      offset = i + 1;
      hashes = [];
      captures = [];
    }
    if (i % 200 === 199) scope.postMessage({ kind: "progress", done: i + 1, total: request.files.length });
  }
  sensors.forEach((s, i) => {
    if (s.captured > 0) s.times = "capture";
    else [s.first, s.last] = [fileSpan[i].first, fileSpan[i].last];
  });
  scope.postMessage({ kind: "done", sensors });
}

/**
 * A file's first bytes (HEAD, or EXIF_HEAD of a JPEG, at most its size) and last bytes (TAIL: read after the first
 * bytes when the file is longer, else the end of the first bytes themselves).
 */
type Ends = { start: ArrayBuffer; tail: Uint8Array } | { error: unknown };

/** How many of a file's first bytes the checks read. */
function headLength(file: File): number {
  return Math.min(isJpeg(file) ? EXIF_HEAD : HEAD, file.size);
}

function isJpeg(file: File): boolean {
  return /\.(jpe?g)$/.test(file.name.toLowerCase());
}

/**
 * The ends of each of a group of files, read as one Blob of their slices: measured in Chromium, a read per file made
 * the checks of 20,000 small files take 37 s and, beside an upload, most of Chromium's CPU; a read per 64 files, 21 s
 * (one run) and about a quarter less CPU for the checks (a fifth less for Chromium as a whole) (docs/benchmarks.md, "Issue 16, session 21"). When the group cannot be read
 * (a file gone since it was chosen), each file is read alone, so only that file fails. The promises never reject
 * before they are awaited: a file that cannot be read alone answers its error, thrown where it is awaited.
 */
function readGroup(files: File[]): Promise<Ends>[] {
  const parts: Blob[] = [];
  const offsets: number[] = [];
  let length = 0;
  for (const file of files) {
    offsets.push(length);
    const read = headLength(file);
    parts.push(file.slice(0, read));
    length += read;
    if (file.size > read) {
      const tail = file.slice(Math.max(read, file.size - TAIL));
      parts.push(tail);
      length += tail.size;
    }
  }
  const whole = new Blob(parts).arrayBuffer();
  return files.map(async (file, i) => {
    let buffer: ArrayBuffer;
    try {
      buffer = await whole;
    } catch {
      return readEnds(file).catch((error: unknown) => ({ error }));
    }
    const read = headLength(file);
    const start = buffer.slice(offsets[i], offsets[i] + read);
    const after = file.size - read;
    return { start, tail: after > 0 ? new Uint8Array(buffer, offsets[i] + read, Math.min(TAIL, after)) : new Uint8Array(start, Math.max(0, read - TAIL)) };
  });
}

/** One file's ends, read on their own. */
async function readEnds(file: File): Promise<{ start: ArrayBuffer; tail: Uint8Array }> {
  const read = headLength(file);
  const start = await file.slice(0, read).arrayBuffer();
  const tail = file.size > read ? new Uint8Array(await file.slice(Math.max(read, file.size - TAIL)).arrayBuffer()) : new Uint8Array(start, Math.max(0, read - TAIL));
  return { start, tail };
}

/** What is wrong with the file judging by its first and last bytes (or null), and what its header says about its capture. */
async function inspect(file: File, ends: Ends): Promise<{ problem: string | null; capture: Capture | null }> {
  if ("error" in ends) throw ends.error;
  const { start, tail } = ends;
  const name = file.name.toLowerCase();
  const jpeg = isJpeg(file);
  const wav = name.endsWith(".wav");
  const media = jpeg ? "image/jpeg" : wav ? "audio/wav" : null;
  const none = (problem: string | null) => ({ problem, capture: media ? { captured_at: null, utc_offset_minutes: null, media_type: media, make: null, model: null, serial: null } : null });
  if (file.size === 0) return none("empty file (zero bytes)");
  const read = start.byteLength;
  const head = new Uint8Array(start, 0, Math.min(HEAD, read));
  if (head.every((b) => b === 0) && tail.every((b) => b === 0)) return none("all zeros where it was read (a card erased or cut mid-copy?)");
  if (jpeg) {
    if (head[0] !== 0xff || head[1] !== 0xd8) return none("not a JPEG (no start-of-image marker)");
    const capture = await exifCapture(start);
    if (tail[tail.length - 2] !== 0xff || tail[tail.length - 1] !== 0xd9) return { problem: "JPEG without its end-of-image marker (truncated)", capture };
    return { problem: null, capture };
  }
  if (wav && head.length >= 12) {
    const text = (from: number) => String.fromCharCode(...head.slice(from, from + 4));
    if (text(0) !== "RIFF" || text(8) !== "WAVE") return none("not a RIFF/WAVE file");
    const capture = wavCapture(head);
    const riffSize = new DataView(head.buffer).getUint32(4, true);
    if (riffSize + 8 !== file.size) return { problem: `WAV RIFF size says ${riffSize + 8} bytes, the file has ${file.size}`, capture };
    return { problem: null, capture };
  }
  return none(null);
}

/** EXIF DateTimeOriginal (with OffsetTimeOriginal), make, model and serial from a JPEG's first bytes; no EXIF gives no time. */
async function exifCapture(start: ArrayBuffer): Promise<Capture> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = await parseExif(start, {
      ifd0: { pick: ["Make", "Model"] },
      exif: { pick: [0x9003, 0x9011, 0xa431] }, // DateTimeOriginal, OffsetTimeOriginal, BodySerialNumber
      ifd1: false, gps: false, interop: false, xmp: false, icc: false, iptc: false, jfif: false, ihdr: false,
      reviveValues: false, translateValues: false, mergeOutput: true,
    });
  } catch {
    tags = undefined; // no EXIF, or not within the bytes read: the file's time stands in
  }
  const text = (key: string) => (typeof tags?.[key] === "string" ? (tags[key] as string).replace(/\0+$/, "").trim().slice(0, TEXT) || null : null);
  // "YYYY:MM:DD HH:MM:SS", the camera's wall clock; all-zero or malformed dates are no date.
  const original = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text("DateTimeOriginal") ?? "");
  const capturedAt = original && original[1] !== "0000" ? `${original[1]}-${original[2]}-${original[3]}T${original[4]}:${original[5]}:${original[6]}` : null;
  return { captured_at: valid(capturedAt), utc_offset_minutes: offsetMinutes(text("OffsetTimeOriginal")), media_type: "image/jpeg", make: text("Make"), model: text("Model"), serial: text("SerialNumber") };
}

/** The AudioMoth comment ("Recorded at 10:00:00 01/05/2026 (UTC+2) by AudioMoth 24F3…") or a GUANO Timestamp in a WAV's header. */
function wavCapture(head: Uint8Array): Capture {
  const text = new TextDecoder("latin1").decode(head);
  const moth = /Recorded at (\d{2}):(\d{2}):(\d{2}) (\d{2})\/(\d{2})\/(\d{4}) \(UTC(?:([+-])(\d{1,2})(?::?(\d{2}))?)?\) by AudioMoth ([0-9A-Fa-f]{16})/.exec(text);
  if (moth) {
    const offset = moth[7] ? (moth[7] === "-" ? -1 : 1) * (Number(moth[8]) * 60 + Number(moth[9] ?? 0)) : 0;
    return { captured_at: valid(`${moth[6]}-${moth[5]}-${moth[4]}T${moth[1]}:${moth[2]}:${moth[3]}`), utc_offset_minutes: offset, media_type: "audio/wav", make: "Open Acoustic Devices", model: "AudioMoth", serial: moth[10] };
  }
  const guano = /GUANO\|Version:[^]*?\nTimestamp:\s*(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?/.exec(text);
  if (guano) {
    const zone = guano[3];
    const offset = !zone ? null : zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    return { captured_at: valid(`${guano[1]}T${guano[2]}`), utc_offset_minutes: offset, media_type: "audio/wav", make: null, model: null, serial: null };
  }
  return { captured_at: null, utc_offset_minutes: null, media_type: "audio/wav", make: null, model: null, serial: null };
}

/** The time when it is a real calendar time (2024-02-30 is not), else null. */
function valid(wallClock: string | null): string | null {
  if (wallClock === null) return null;
  const at = new Date(wallClock + "Z");
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 19) === wallClock ? wallClock : null;
}

/** "+02:00" → 120; null when absent or malformed. */
function offsetMinutes(text: string | null): number | null {
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text ?? "");
  if (!match) return null;
  const minutes = (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  return Math.abs(minutes) <= 14 * 60 ? minutes : null;
}

function hex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
