// The folder uploader: files go straight from the browser to S3 with URLs the server presigns — or, when small enough
// for the server's relay, to the server in batches, which writes them to S3 — and count as uploaded only when the
// server has checked them in S3. Built for 100,000-file folders: one small record per file
// (no DOM element, no framework state per file), presigning and verification in batches, aggregate progress
// redrawn four times a second. Uppy is not used: measured here, its per-file state updates make a 20,000-file
// folder take minutes just to add (shared/notes/browser-upload.md); this queue is the "plain batched-presign queue".
import { Api, ApiError, backoff, formatBytes, formatDuration } from "./api";
import { problemDetail } from "./problem";
import type { Capture, CheckMessage, CheckRequest, SensorCheck } from "./checks.worker";
import { type BatchAnswer, type BatchCall, type RegisterCall, type RelayCall, Registered, Relayed } from "./batchCalls";
import type { CompleteFilesRequest, CompleteFilesResponse, CompleteMultipartRequest, CompleteMultipartResponse, CreateMultipartRequest, CreateSessionRequest, MultipartResponse, PresignRequest, PresignResponse, PresignedUpload, SensorFolderCheck, SessionResponse, SignPartsRequest, SignPartsResponse } from "./contracts";
import { ExportDialog } from "./exportDialog";
import { FileState, UploadTally } from "./uploadTally";
import { NetworkError, sendRequest } from "./xhrRequest";

/**
 * One chosen file. Every field is set when the item is made (undefined until known), so that the 100,000 items share
 * one shape and filling a field later (a hash, a capture, an error) allocates nothing: a field added to an object
 * after it was made gets a separate property store, which the page then allocated and dropped per file
 * (docs/benchmarks.md, "Issue 16, session 23").
 */
interface Item {
  file: File;
  /**
   * file.size and file.lastModified, read while the folder is read (in slices): in Chromium the first read of a
   * chosen file's metadata is a synchronous call to the browser process (later reads, and cloning the File to a
   * worker, use what it answered), so the folder is read in slices and loops over 100,000 items use these copies.
   */
  size: number;
  modified: number;
  path: string;
  sensor: number;
  state: FileState;
  error: string | undefined;
  /** The file's SHA-256 when duplicates are looked up (computed in the checks worker). */
  sha256: string | null | undefined;
  /** The key under which the project already holds these bytes, as the server answered at registration. */
  duplicateOf: string | undefined;
  /** What the file's header says about its capture (EXIF, AudioMoth/GUANO), from the checks worker; registered with the file. */
  capture: Capture | undefined;
}

/** A presigned upload and when the page fetched it (performance.now()). */
type Presigned = PresignedUpload & { fetched?: number };

const CONCURRENCY = 16;
const PART_CONCURRENCY = 4;
const PRESIGN_BATCH = 500;
const COMPLETE_BATCH = 200;
const REGISTER_BATCH = 2_000;
/** Files per message to the checks worker: cloning a File costs the page a few microseconds, so a chunk is a short task. */
const CHECK_CHUNK = 2000;
/** The longest a loop over the files runs before it lets the page paint and take input (a frame is 16 ms). */
const SLICE_MS = 20;
const ATTEMPTS = 5;
/**
 * Relayed batches (files up to the server's relay size, sent to the Ferry server in one form per batch, which writes
 * them to S3): batches in flight, and the files and bytes of one batch. One request per 100 small files instead of one
 * each is what lets the page go past its own per-request cost (docs/benchmarks.md, "Issue 16, session 16").
 */
const RELAY_CONCURRENCY = 3;
const RELAY_FILES = 100;
const RELAY_BYTES = 8 * 1024 * 1024;

const root = document.querySelector<HTMLElement>("#uploader")!;
const api = new Api(root.dataset.token ?? "");
const exportDialog = new ExportDialog(api);
const exportButton = document.querySelector<HTMLButtonElement>("#export")!;
const partSize = Number(root.dataset.partSize ?? 8 * 1024 * 1024);
const multipartThreshold = Number(root.dataset.multipartThreshold ?? 16 * 1024 * 1024);
/** Files up to this size go through the server in batches (0: the server does not relay; every file goes to S3 itself). */
const relayMaximum = Number(root.dataset.relayMaximum ?? 0);
const $ = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
const projectSelect = $<HTMLSelectElement>("#project");
const cycleSelect = $<HTMLSelectElement>("#cycle");
const folderInput = $<HTMLInputElement>("#folder");
const drop = $<HTMLElement>("#drop");
const plan = $<HTMLElement>("#plan");
const startButton = $<HTMLButtonElement>("#start");
const pauseButton = $<HTMLButtonElement>("#pause");
const retryButton = $<HTMLButtonElement>("#retry");
const statusLine = $<HTMLElement>("#status");
const bar = $<HTMLElement>("#bar");
const totalsTable = $<HTMLTableElement>("#totals");
const failuresBox = $<HTMLElement>("#failures");
const stopButton = $<HTMLButtonElement>("#stop");
const skipDuplicates = $<HTMLInputElement>("#skip-duplicates");
const checksTable = $<HTMLTableElement>("#checks");
const duplicatesBox = $<HTMLElement>("#duplicates");

let items: Item[] = [];
/** The counts the progress shows, kept as files change state (setState). */
let tally = new UploadTally();
/** The totals table's cells (a row per sensor folder, at most 500), made once per upload; a redraw changes only their text. */
let totalsCells: HTMLTableCellElement[][] = [];
/** What the failures list shows (the first 100 failures and their reasons), redrawn only when that changes. */
let failuresShown = "";
let folderName = "";
let sensors: string[] = [];
let session: SessionResponse | null = null;
/** Files to send straight to S3 (presigned), and those to relay through the server in batches; each with its next position. */
let queue: number[] = [];
let queueNext = 0;
let relayQueue: number[] = [];
let relayNext = 0;
let paused = false;
let resume: (() => void) | null = null;
let running = false;
let startedAt = 0;
let verifiedBytes = 0;
const urls = new Map<string, Presigned>();
let presignCursor = 0;
let presigning: Promise<void> | null = null;
let completions: { index: number; etag: string | null }[] = [];
let completing = Promise.resolve();
let flushTimer: number | undefined;
let checks: SensorCheck[] | null = null;
let checker: Worker | null = null;
/** Resolves when the current run of the checks has answered (the hashes are known); replaced by each run. */
let checked: Promise<void> = Promise.resolve();
let checkedNow: () => void = () => undefined;

// ---- choosing what to upload ----

// Every project's cycles as the page rendered them; the Cycle list shows only the chosen project's.
const allCycles = Array.from(cycleSelect.options);

function filterCycles() {
  const chosen = cycleSelect.value;
  cycleSelect.replaceChildren(...allCycles.filter((option) => option.dataset.project === projectSelect.value));
  // A cycle of this project chosen before the script ran stays chosen; otherwise the project's first.
  const kept = Array.from(cycleSelect.options).findIndex((option) => option.value === chosen);
  cycleSelect.selectedIndex = kept >= 0 ? kept : cycleSelect.options.length > 0 ? 0 : -1;
  describePlan();
}

projectSelect.addEventListener("change", filterCycles);
cycleSelect.addEventListener("change", describePlan);
filterCycles();

folderInput.addEventListener("change", async () => {
  // The FileList is read where it is (no copy of 100,000 entries in one task): useFiles takes it in slices.
  const files = folderInput.files;
  if (!files) return;
  await useFiles(files.length, (i) => {
    const file = files[i];
    return { file, path: file.webkitRelativePath || file.name };
  });
});

drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", async (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  const entries = Array.from(event.dataTransfer?.items ?? []).map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  statusLine.textContent = "Reading the dropped folder…";
  const found: { file: File; path: string }[] = [];
  for (const entry of entries) await walk(entry, found);
  await useFiles(found.length, (i) => found[i]);
});

/** Every file under a dropped entry; readEntries answers in batches, so it is called until it returns none. */
async function walk(entry: FileSystemEntry, found: { file: File; path: string }[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    found.push({ file, path: entry.fullPath.replace(/^\//, "") });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, found);
    await yieldToPage();
  }
}

/** Takes the chosen files (count of them, the i-th from at); paths lose their first segment (the chosen folder's own name). */
async function useFiles(count: number, at: (i: number) => { file: File; path: string }) {
  const sensorIndex = new Map<string, number>();
  items = [];
  sensors = [];
  tally = new UploadTally();
  totalsCells = [];
  folderName = count > 0 ? at(0).path.split("/")[0] : "";
  statusLine.textContent = `Reading ${count.toLocaleString()} files…`;
  const slicer = new Slicer();
  for (let i = 0; i < count; i++) {
    const { file, path } = at(i);
    const slash = path.indexOf("/");
    const relative = slash >= 0 && path.slice(0, slash) === folderName ? path.slice(slash + 1) : path;
    const sensorName = relative.includes("/") ? relative.slice(0, relative.indexOf("/")) : "(folder itself)";
    let sensor = sensorIndex.get(sensorName);
    if (sensor === undefined) {
      sensor = sensors.length;
      sensors.push(sensorName);
      sensorIndex.set(sensorName, sensor);
    }
    const size = file.size;
    items.push({ file, size, modified: file.lastModified, path: relative, sensor, state: FileState.Pending, error: undefined, sha256: undefined, duplicateOf: undefined, capture: undefined });
    tally.add(sensor, size);
    // Each file's size and date cost a call to the browser process (45-87 s for 100,000 files here): the count read so
    // far is shown, every 5,000 files (the status line is a live region that screen readers announce).
    if (i % 5000 === 4999) statusLine.textContent = `Reading ${count.toLocaleString()} files… ${(i + 1).toLocaleString()} read`;
    await slicer.breathe();
  }
  statusLine.textContent = "";
  describePlan();
  runChecks();
}

// ---- checks before the upload (in a worker: the page stays responsive for 100,000 files) ----

skipDuplicates.addEventListener("change", () => items.length > 0 && !running && runChecks());
stopButton.addEventListener("click", () => {
  // Stop before starting: nothing was sent and no session exists; the choice is cleared.
  checker?.terminate();
  checker = null;
  items = [];
  sensors = [];
  tally = new UploadTally();
  totalsCells = [];
  checks = null;
  folderInput.value = "";
  checksTable.hidden = true;
  stopButton.hidden = true;
  statusLine.textContent = "Stopped: nothing was uploaded.";
  describePlan();
});

function runChecks() {
  checker?.terminate();
  checks = null;
  stopButton.hidden = false;
  const hash = skipDuplicates.checked;
  statusLine.textContent = `Checking ${items.length.toLocaleString()} files${hash ? " and hashing them to find duplicates" : ""}…`;
  const worker = new Worker(new URL("./checks.worker.ts", import.meta.url), { type: "module" });
  checker = worker;
  checked = new Promise<void>((resolve) => (checkedNow = resolve));
  worker.onerror = (event) => {
    if (!uploadStarted()) statusLine.textContent = `The checks could not run: ${event.message}`;
    checkedNow();
  };
  worker.onmessage = (event: MessageEvent<CheckMessage>) => {
    const message = event.data;
    if (message.kind === "progress") {
      if (!uploadStarted()) statusLine.textContent = `Checking… ${message.done.toLocaleString()} of ${message.total.toLocaleString()} files`;
      return;
    }
    if (message.kind === "results") {
      message.hashes.forEach((sha256, i) => (items[message.offset + i].sha256 = sha256));
      message.captures.forEach((capture, i) => (items[message.offset + i].capture = capture ?? undefined));
      return;
    }
    worker.terminate();
    checker = null;
    checks = message.sensors;
    checkedNow();
    const warnings = checks.reduce((sum, s) => sum + s.warnings, 0);
    // Checks that answer after Start (they never hold the upload back) fill their table; the status line is the
    // upload's: measured, a 100,000-file upload finished before its checks, whose answer replaced "Upload complete".
    if (!uploadStarted()) statusLine.textContent = `Checked: ${warnings.toLocaleString()} warning(s). Read the table, then start the upload or stop.`;
    drawChecks();
    describePlan();
  };
  const chosen = items;
  void (async () => {
    for (let offset = 0; offset < chosen.length; offset += CHECK_CHUNK) {
      if (checker !== worker) return; // stopped, or a new run replaced this one
      const chunk: CheckRequest = { kind: "files", files: [], paths: [], sensors: [] };
      for (let index = offset; index < Math.min(chosen.length, offset + CHECK_CHUNK); index++) {
        chunk.files.push(chosen[index].file);
        chunk.paths.push(chosen[index].path);
        chunk.sensors.push(chosen[index].sensor);
      }
      worker.postMessage(chunk);
      await yieldToPage();
    }
    if (checker === worker) worker.postMessage({ kind: "run", sensors, hash } satisfies CheckRequest);
  })();
}

/** A sensor folder's time span, saying whose times they are: the capture times (camera clock) or, without any, the files' times (UTC). */
function span(s: SensorCheck): string {
  const time = (ms: number | null) => (ms === null ? "–" : new Date(ms).toISOString().slice(0, 16).replace("T", " "));
  if (s.times === "file") return `${time(s.first)} – ${time(s.last)} UTC (file times)`;
  return `${time(s.first)} – ${time(s.last)} (capture, camera clock${s.captured < s.files ? `; ${(s.files - s.captured).toLocaleString()} file(s) without` : ""})`;
}

function drawChecks() {
  if (!checks) return;
  const duplicates = sensors.map(() => 0);
  for (const item of items) if (item.duplicateOf) duplicates[item.sensor]++;
  checksTable.hidden = false;
  checksTable.tBodies[0].replaceChildren(...checks.slice(0, 1000).map((s, i) => {
    const tr = row([s.folder, s.files.toLocaleString(), formatBytes(s.bytes), span(s), s.warnings.toLocaleString(),
      skipDuplicates.checked ? duplicates[i].toLocaleString() : "not looked up"]);
    if (s.examples.length > 0) {
      const list = document.createElement("ul");
      for (const example of s.examples) {
        const li = document.createElement("li");
        li.textContent = example;
        list.appendChild(li);
      }
      tr.cells[4].appendChild(list);
    }
    return tr;
  }));
  const found = items.filter((item) => item.duplicateOf).slice(0, 500);
  duplicatesBox.hidden = found.length === 0;
  duplicatesBox.querySelector("ul")!.replaceChildren(...found.map((item) => {
    const li = document.createElement("li");
    li.textContent = `${item.path} = ${item.duplicateOf}`;
    return li;
  }));
}

/** The check results as the session stores them (per sensor folder, bounded like the API). */
function checkResults(): SensorFolderCheck[] | undefined {
  return checks?.slice(0, 1000).map((s) => ({
    folder: s.folder.slice(0, 1024),
    files: s.files,
    bytes: s.bytes,
    first: s.first === null ? null : new Date(s.first).toISOString(),
    last: s.last === null ? null : new Date(s.last).toISOString(),
    times: s.times,
    warnings: s.warnings,
    examples: s.examples.slice(0, 10).map((e) => e.slice(0, 500)),
  }));
}

function describePlan() {
  if (items.length === 0) {
    plan.textContent = "Pick a folder (or drop one) to see what goes where.";
    startButton.disabled = true;
    return;
  }
  const bytes = tally.bytes;
  const project = projectSelect.selectedOptions[0]?.textContent ?? "";
  const bucket = /\(s3:\/\/([^)]+)\)/.exec(project)?.[1] ?? "";
  const prefix = cycleSelect.selectedOptions[0]?.dataset.prefix ?? "";
  plan.textContent = `${items.length.toLocaleString()} files (${formatBytes(bytes)}) in ${sensors.length} sensor folder(s) from “${folderName}” go to s3://${bucket}/${prefix}…, e.g. ${prefix}${items[0].path}`;
  // The checks inform, they never hold the upload back: Start does not wait for them — except for the hashes when
  // "Skip duplicates" is ticked (start() waits for those: without them no copy could be found).
  startButton.disabled = uploadStarted() || !cycleSelect.value;
}

/** An upload was started from this page: from then on the status line and the Start button are the upload's. */
function uploadStarted(): boolean {
  return running || session !== null;
}

// ---- running ----

startButton.addEventListener("click", () => void start());
pauseButton.addEventListener("click", () => {
  paused = !paused;
  pauseButton.textContent = paused ? "Resume" : "Pause";
  if (!paused) {
    resume?.();
    resume = null;
  }
});
retryButton.addEventListener("click", () => {
  retryButton.hidden = true;
  pauseButton.disabled = false;
  statusLine.classList.remove("error");
  for (let i = 0; i < items.length; i++) {
    if (items[i].state === FileState.Failed) {
      setState(i, FileState.Pending);
      items[i].error = undefined;
      enqueue(i);
    }
  }
  void runQueue();
});

async function start() {
  running = true;
  statusLine.classList.remove("error");
  startButton.disabled = true;
  stopButton.hidden = true;
  folderInput.disabled = projectSelect.disabled = cycleSelect.disabled = skipDuplicates.disabled = true;
  try {
    if (skipDuplicates.checked && checks === null) {
      // Duplicates are looked up by the hashes: without them every copy would be sent, so Start waits for them here.
      statusLine.textContent = "Waiting for the files' hashes (Skip duplicates)…";
      await checked;
    }
    statusLine.textContent = "Starting a session…";
    session = await api.call<SessionResponse>("POST", "/api/sessions", {
      project_id: Number(projectSelect.value),
      cycle_id: Number(cycleSelect.value),
      local_directory: folderName,
      client: "browser",
      checks: checkResults(),
    } satisfies CreateSessionRequest);
    const skip = skipDuplicates.checked;
    for (let offset = 0; offset < items.length; offset += REGISTER_BATCH) {
      statusLine.textContent = `Checking what is already there… ${offset.toLocaleString()} of ${items.length.toLocaleString()}`;
      const call: Unsent<RegisterCall> = { kind: "register", url: `/api/sessions/${session.id}/files`, skipDuplicates: skip, paths: [], sizes: [], modified: [], sha256: [], captures: [] };
      for (let index = offset; index < Math.min(items.length, offset + REGISTER_BATCH); index++) {
        const item = items[index];
        call.paths.push(item.path);
        call.sizes.push(item.size);
        call.modified.push(item.modified);
        call.sha256.push(skip ? item.sha256 ?? null : null);
        call.captures.push(item.capture ?? null);
      }
      // The answer lists the files in the order sent (the worker checks it), so the i-th outcome is item offset + i.
      const { outcomes, notes } = await batchCall(call);
      for (let i = 0; i < outcomes.length; i++) {
        if (outcomes[i] === Registered.Uploaded) setState(offset + i, FileState.Present);
        if (outcomes[i] === Registered.Duplicate) {
          setState(offset + i, FileState.Duplicate);
          items[offset + i].duplicateOf = notes.get(i);
        }
      }
      await yieldToPage();
    }
    queue = [];
    queueNext = 0;
    relayQueue = [];
    relayNext = 0;
    items.forEach((item, index) => {
      if (item.state === FileState.Pending) enqueue(index);
    });
    drawChecks();
    startedAt = performance.now();
    pauseButton.disabled = false;
    await runQueue();
  } catch (error) {
    statusLine.textContent = `The upload could not start: ${(error as Error).message}`;
    statusLine.classList.add("error");
    running = false;
    if (startedAt === 0) allowStartAgain();
  }
}

/**
 * After a start that failed before any file was sent (the session or the registration refused): the choices can be
 * changed and Start chosen again, which opens a new session; what the registration found is forgotten (a file found
 * there, or a duplicate, may be neither with other choices).
 */
function allowStartAgain() {
  session = null;
  items.forEach((item, index) => {
    if (item.state === FileState.Present || item.state === FileState.Duplicate) setState(index, FileState.Pending);
    item.duplicateOf = undefined;
  });
  folderInput.disabled = projectSelect.disabled = cycleSelect.disabled = skipDuplicates.disabled = false;
  describePlan();
}

const render = window.setInterval(() => running && draw(), 250);

/** Puts a file in the queue it goes by: relayed when the server relays files of its size, else straight to S3. */
function enqueue(index: number) {
  (relayMaximum > 0 && items[index].size <= relayMaximum ? relayQueue : queue).push(index);
}

async function runQueue() {
  running = true;
  const workers = [...Array.from({ length: CONCURRENCY }, () => work()), ...Array.from({ length: RELAY_CONCURRENCY }, () => relayWork())];
  await Promise.all(workers);
  await flushCompletions();
  await completing;
  draw();
  const failed = tally.failed;
  if (failed > 0) {
    running = false; // keep this message: the periodic redraw would replace it
    const others = items.length - failed;
    statusLine.textContent = `${failed.toLocaleString()} file(s) failed${others > 0 ? `; the other ${others.toLocaleString()} are uploaded and verified` : ""}. Fix the cause shown below, then choose “Retry failed”.`;
    pauseButton.disabled = true;
    statusLine.classList.add("error");
    retryButton.hidden = false;
    return;
  }
  try {
    await api.call("POST", `/api/sessions/${session!.id}/finish`);
  } catch {
    // The session stays open on the server; every file is verified anyway.
  }
  running = false;
  pauseButton.disabled = true;
  window.clearInterval(render);
  const present = items.filter((item) => item.state === FileState.Present).length;
  const duplicates = items.filter((item) => item.state === FileState.Duplicate).length;
  statusLine.classList.remove("error");
  statusLine.textContent = `Upload complete: ${(items.length - present - duplicates).toLocaleString()} file(s) uploaded and verified, ${present.toLocaleString()} already there` +
    `${duplicates > 0 ? `, ${duplicates.toLocaleString()} duplicate(s) not uploaded` : ""} (session ${session!.id}).`;
  // Completing a session offers its audit export (S3, a zip only, or nothing); the button reopens the choice.
  const project = document.querySelector<HTMLSelectElement>("#project")!.selectedOptions[0];
  const target = { sessionId: session!.id, bucket: project?.dataset.bucket ?? "", files: items.length };
  exportButton.hidden = false;
  exportButton.onclick = () => exportDialog.open(target);
  exportDialog.open(target);
}

async function work() {
  for (;;) {
    if (paused) await new Promise<void>((resolve) => (resume = chain(resume, resolve)));
    if (queueNext >= queue.length) return;
    const index = queue[queueNext++];
    const item = items[index];
    setState(index, FileState.Sending);
    try {
      const etag = item.size > multipartThreshold ? await sendMultipart(item) : await sendSingle(item);
      setState(index, FileState.Sent);
      completions.push({ index, etag });
      scheduleFlush();
    } catch (error) {
      fail(index, (error as Error).message);
    }
  }
}

/** Sends the relay queue in batches (up to RELAY_FILES files and RELAY_BYTES bytes); the server's answer holds each file's verdict. */
async function relayWork() {
  for (;;) {
    if (paused) await new Promise<void>((resolve) => (resume = chain(resume, resolve)));
    if (relayNext >= relayQueue.length) return;
    const batch: number[] = [];
    let bytes = 0;
    while (relayNext < relayQueue.length && batch.length < RELAY_FILES) {
      const size = items[relayQueue[relayNext]].size;
      if (batch.length > 0 && bytes + size > RELAY_BYTES) break;
      batch.push(relayQueue[relayNext++]);
      bytes += size;
    }
    for (const index of batch) setState(index, FileState.Sending);
    try {
      const { outcomes, notes } = await batchCall({
        kind: "relay",
        url: `/api/sessions/${session!.id}/relay`,
        paths: batch.map((index) => items[index].path),
        sha256: batch.map((index) => items[index].sha256 ?? null),
        files: batch.map((index) => items[index].file),
      });
      batch.forEach((index, i) => settle(index, outcomes[i] === Relayed.Uploaded ? null : notes.get(i) ?? "the server found the object wrong"));
    } catch (error) {
      for (const index of batch) fail(index, (error as Error).message);
    }
  }
}

/** A call for the batch-calls worker before it is numbered and given the page token (sendBatch does both). */
type Unsent<T extends BatchCall> = Omit<T, "id" | "token">;

/** The worker that sends the calls carrying a batch of files (batchCalls.worker.ts), started with the first, and the calls waiting for its answer. */
let batchCaller: Worker | null = null;
let batchCallId = 0;
const batchAnswers = new Map<number, (answer: BatchAnswer) => void>();

/** Sends one call from the worker (its request is built, sent and read off the main thread) and waits for the answer. */
function sendBatch(call: Unsent<RegisterCall> | Unsent<RelayCall>): Promise<BatchAnswer> {
  if (!batchCaller) {
    const worker = new Worker(new URL("./batchCalls.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<BatchAnswer>) => {
      batchAnswers.get(event.data.id)?.(event.data);
      batchAnswers.delete(event.data.id);
    };
    // A worker that cannot load or run (or an answer that cannot be read) answers every call waiting on it, which then
    // fails with the reason; the next call starts a new worker.
    const broken = (problem: string) => {
      if (batchCaller === worker) batchCaller = null;
      worker.terminate();
      for (const [id, answer] of batchAnswers) answer({ id, status: 0, statusText: "", text: "", outcomes: null, notes: null, problem });
      batchAnswers.clear();
    };
    worker.onerror = (event) => broken(`the page's uploader failed (${event.message || "its worker did not load"})`);
    worker.onmessageerror = () => broken("the page's uploader could not read an answer");
    batchCaller = worker;
  }
  const id = ++batchCallId;
  return new Promise((resolve) => {
    batchAnswers.set(id, resolve);
    batchCaller!.postMessage({ ...call, id, token: api.currentToken } as BatchCall);
  });
}

/**
 * One registration or relay call, its answer read into one outcome per file sent, in order. Retried like the API's
 * calls (unreachable, 5xx but 501, 429; registering again is harmless, and a relayed file already verified is answered
 * as it stands); a 401 renews the page token once.
 */
async function batchCall(call: Unsent<RegisterCall> | Unsent<RelayCall>): Promise<{ outcomes: Uint8Array; notes: Map<number, string> }> {
  let renewed = false;
  for (let attempt = 1; ; attempt++) {
    const answer = await sendBatch(call);
    const status = answer.status;
    if (answer.problem) throw new Error(answer.problem);
    if (status >= 200 && status < 300) return { outcomes: answer.outcomes!, notes: answer.notes! };
    if (status === 401 && !renewed && (await api.renewToken())) {
      renewed = true;
      attempt--;
      continue;
    }
    const detail = status === 0 ? "the Ferry server cannot be reached; check the connection" : status === 401 ? "you are signed out; sign in again" : problemDetail(status, answer.statusText, answer.text);
    // 501: the server does not relay (any more); retrying cannot help.
    if (attempt >= ATTEMPTS || (status >= 400 && status < 500 && status !== 429) || status === 501) throw new Error(detail);
    await backoff(attempt);
  }
}

function chain(previous: (() => void) | null, next: () => void): () => void {
  return () => {
    previous?.();
    next();
  };
}

async function sendSingle(item: Item): Promise<string | null> {
  for (let attempt = 1; ; attempt++) {
    const presigned = await urlFor(item.path);
    try {
      const answer = await sendRequest(presigned.method, presigned.url, presigned.method === "POST" ? undefined : presigned.headers, body(presigned, item.file));
      if (answer.ok) return answer.etag;
      if (answer.status === 403) urls.delete(item.path); // expired or refused: sign again
      if (attempt >= ATTEMPTS) throw new Error(`S3 answered ${answer.status}${s3Code(answer.text)}`);
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error instanceof NetworkError ? new Error("the network failed while sending the file") : error;
    }
    await backoff(attempt);
  }
}

/**
 * The upload body for a presigned URL. Form uploads (POST, the default here) are "simple" requests that browsers send
 * without a CORS preflight; a PUT costs a preflight OPTIONS per file, since every URL is different.
 */
function body(presigned: Presigned, file: File): Blob | FormData {
  if (presigned.method !== "POST") return file;
  const form = new FormData();
  for (const [name, value] of Object.entries(presigned.fields ?? {})) form.append(name, value);
  form.append("file", file);
  return form;
}

async function sendMultipart(item: Item): Promise<string | null> {
  const created = await retrying(() => api.call<MultipartResponse>("POST", `/api/sessions/${session!.id}/multipart`, { path: item.path } satisfies CreateMultipartRequest));
  const base = `/api/sessions/${session!.id}/multipart/${encodeURIComponent(created.upload_id)}`;
  const count = Math.max(1, Math.ceil(item.size / partSize));
  const etags: string[] = new Array(count);
  let next = 0;
  const sendParts = async () => {
    for (;;) {
      if (paused) await new Promise<void>((resolve) => (resume = chain(resume, resolve)));
      const number = ++next;
      if (number > count) return;
      const part = item.file.slice((number - 1) * partSize, Math.min(item.size, number * partSize));
      for (let attempt = 1; ; attempt++) {
        const signed = await retrying(() => api.call<SignPartsResponse>("POST", `${base}/parts`, { part_numbers: [number] } satisfies SignPartsRequest));
        try {
          const answer = await sendRequest("PUT", signed.parts[0].url, signed.parts[0].headers, part);
          if (answer.ok && answer.etag) {
            etags[number - 1] = answer.etag;
            break;
          }
          if (attempt >= ATTEMPTS) throw new Error(answer.ok ? "S3 sent no ETag for a part: the bucket's CORS rule must expose ETag (ferry s3 cors)" : `S3 answered ${answer.status} for part ${number}`);
        } catch (error) {
          if (attempt >= ATTEMPTS) throw error instanceof NetworkError ? new Error(`the network failed while sending part ${number}`) : error;
        }
        await backoff(attempt);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, count) }, sendParts));
    const done = await retrying(() => api.call<CompleteMultipartResponse>("POST", `${base}/complete`, { parts: etags.map((etag, i) => ({ part_number: i + 1, etag })) } satisfies CompleteMultipartRequest));
    return done.etag;
  } catch (error) {
    await api.call("DELETE", base).catch(() => undefined);
    throw error;
  }
}

/** Runs an API call, retrying what may pass on another try (unreachable, 5xx, 429). */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      if (attempt >= ATTEMPTS || (status >= 400 && status < 500 && status !== 429)) throw error;
      await backoff(attempt);
    }
  }
}

/** A usable presigned URL for a path, fetched with the next pending paths' URLs in one call. */
async function urlFor(path: string): Promise<Presigned> {
  for (;;) {
    const known = urls.get(path);
    if (known && usable(known)) return known;
    if (presigning) {
      await presigning;
      continue;
    }
    presigning = (async () => {
      const batch = [path];
      presignCursor = Math.max(presignCursor, queueNext);
      while (batch.length < PRESIGN_BATCH && presignCursor < queue.length) {
        const candidate = items[queue[presignCursor++]];
        if (candidate.size <= multipartThreshold && !urls.has(candidate.path)) batch.push(candidate.path);
      }
      const answer = await retrying(() => api.call<PresignResponse>("POST", `/api/sessions/${session!.id}/presign`, { paths: batch, method: "POST" } satisfies PresignRequest));
      const fetched = Date.now();
      for (const upload of answer.uploads) urls.set(upload.path, { ...upload, fetched });
    })().finally(() => (presigning = null));
    await presigning;
  }
}

/** A URL is used in the first three quarters of its life (whatever lifetime the server gives), never near its end. */
function usable(url: Presigned): boolean {
  const expires = Date.parse(url.expires_at);
  const fetched = url.fetched ?? Date.now();
  return Date.now() < fetched + (expires - fetched) * 0.75;
}

function scheduleFlush() {
  if (completions.length >= COMPLETE_BATCH) void flushCompletions();
  else if (flushTimer === undefined) flushTimer = window.setTimeout(() => void flushCompletions(), 300);
}

/** Reports sent files in one call; the server's verdict makes each verified or failed. */
function flushCompletions(): Promise<void> {
  window.clearTimeout(flushTimer);
  flushTimer = undefined;
  if (completions.length === 0) return completing;
  const batch = completions.splice(0, COMPLETE_BATCH);
  const previous = completing;
  completing = (async () => {
    await previous;
    try {
      const answer = await retrying(() => api.call<CompleteFilesResponse>("POST", `/api/sessions/${session!.id}/complete`, {
        // The SHA-256 (when the file was hashed) goes with the report: the server keeps it as the verified object's
        // checksum, which is what puts the file in the project's content index for later duplicate look-ups.
        files: batch.map(({ index, etag }) => ({ path: items[index].path, etag, sha256: items[index].sha256 ?? null })),
      } satisfies CompleteFilesRequest));
      answer.files.forEach((verdict, i) => settle(batch[i].index, verdict.status === "uploaded" ? null : verdict.error ?? "the server found the object wrong"));
    } catch (error) {
      for (const { index } of batch) fail(index, `could not be verified: ${(error as Error).message}`);
    }
  })();
  if (completions.length > 0) return flushCompletions();
  return completing;
}

/** A file's state after the server's verdict: verified (failure null), or failed with the reason. */
function settle(index: number, failure: string | null) {
  const item = items[index];
  if (failure === null) {
    setState(index, FileState.Verified);
    verifiedBytes += item.size;
    // Only presigned files have a URL to forget. Looking a path up hashes it, which first copies a path cut from a
    // longer one (the profile of a 20,000-file page: 0.8 MiB of such copies for relayed files).
    if (urls.size > 0) urls.delete(item.path);
  } else {
    fail(index, failure);
  }
}

/** Moves a file to another state, keeping the counts the progress shows. */
function setState(index: number, state: FileState) {
  const item = items[index];
  tally.move(index, item.sensor, item.size, item.state, state);
  item.state = state;
}

function fail(index: number, error: string) {
  items[index].error = error;
  setState(index, FileState.Failed);
}

// ---- progress ----

/** Redraws the progress from the counts (tally): only the rows of sensor folders whose counts changed, whatever the number of files. */
function draw() {
  const { done, present, failed, doneBytes, bytes } = tally;
  const total = tally.files;
  const seconds = (performance.now() - startedAt) / 1000;
  const rate = seconds > 0 ? verifiedBytes / seconds : 0;
  const remaining = bytes - doneBytes;
  statusLine.textContent = `${paused ? "Paused. " : ""}${done.toLocaleString()} of ${total.toLocaleString()} files verified (${present.toLocaleString()} already there), ` +
    `${formatBytes(doneBytes)} of ${formatBytes(bytes)}, ${formatBytes(rate)}/s, ETA ${rate > 0 ? formatDuration(remaining / rate) : "–"}` +
    (failed > 0 ? `, ${failed.toLocaleString()} failed` : "");
  bar.style.transform = `scaleX(${total === 0 ? 0 : done / total})`;
  totalsTable.hidden = false;
  const shown = tally.sensors.slice(0, 500);
  const changed = tally.takeChanged();
  if (totalsCells.length !== shown.length) {
    const rows = shown.map((s, i) => row([sensors[i], s.files.toLocaleString(), "", "", ""]));
    totalsTable.tBodies[0].replaceChildren(...rows);
    totalsCells = rows.map((tr) => Array.from(tr.cells));
    shown.forEach((_, i) => changed.add(i));
  }
  for (const i of changed) {
    if (i >= shown.length) continue;
    const s = shown[i];
    const cells = totalsCells[i];
    setText(cells[2], s.done.toLocaleString());
    setText(cells[3], s.failed.toLocaleString());
    setText(cells[4], `${formatBytes(s.doneBytes)} / ${formatBytes(s.bytes)}`);
  }
  if (changed.size > 0) drawFailures();
}

function drawFailures() {
  const shown: number[] = [];
  for (const index of tally.failures) {
    if (shown.length >= 100) break;
    shown.push(index);
  }
  const key = `${tally.failed}:${shown.join(",")}:${shown.map((index) => items[index].error).join("\n")}`;
  if (key === failuresShown) return;
  failuresShown = key;
  failuresBox.hidden = shown.length === 0;
  failuresBox.querySelector("ul")!.replaceChildren(...shown.map((index) => {
    const li = document.createElement("li");
    li.textContent = `${items[index].path}: ${items[index].error}`;
    return li;
  }));
}

/** Sets an element's text only when it changed (a change is a layout of its table). */
function setText(element: HTMLElement, text: string) {
  if (element.textContent !== text) element.textContent = text;
}

function row(cells: string[]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
  }
  return tr;
}

/** The error code of S3's XML answer after a space (" AccessDenied"), or "" when it has none. */
function s3Code(text: string): string {
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  return code ? ` ${code}` : "";
}

function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Cuts a long loop into tasks of at most SLICE_MS: breathe() yields to the page when the current slice is used up. */
class Slicer {
  private started = performance.now();

  async breathe(): Promise<void> {
    if (performance.now() - this.started < SLICE_MS) return;
    await yieldToPage();
    this.started = performance.now();
  }
}

// A folder picked before this script ran (a slow connection or device) fired its change event to no one: take it now.
// Last in the module, so that everything the handler uses (declared above) exists.
if (folderInput.files && folderInput.files.length > 0) folderInput.dispatchEvent(new Event("change"));
