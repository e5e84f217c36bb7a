// The upload page's calls that carry a batch of files, off the main thread: registration (up to 2,000 files a call) and
// relay (up to 100 small files a call, in one form). The worker builds each request and reads each answer, and hands
// the page one byte per file (its outcome) and a text only for the few files that need one: a 100,000-file upload no
// longer makes the page build and drop a request object and an answer object per file, the garbage whose collection
// was the page's longest task (docs/benchmarks.md, "Issue 16, session 23"). A relay form that holds a hundred File
// objects also makes Chromium look up each file's metadata while it serializes the body; on the page's main thread,
// with both cores busy, one such send blocked the page for up to half a second (session 16). Sent with
// XMLHttpRequest, which dedicated workers have too: measured, fetch() here cost Chromium's processes 1.5 times the CPU
// per relay batch (session 16).
import { type BatchAnswer, type BatchCall, type RegisterCall, type RelayCall, Registered, Relayed } from "./batchCalls";
import type { CompleteFilesResponse, RegisterFilesRequest, RegisterFilesResponse } from "./contracts";
import { NetworkError, sendRequest } from "./xhrRequest";

const scope = self as unknown as { onmessage: ((event: MessageEvent<BatchCall>) => void) | null; postMessage(message: BatchAnswer): void };

scope.onmessage = async (event) => {
  const call = event.data;
  let answer;
  try {
    answer = call.kind === "register"
      ? await sendRequest("POST", call.url, { authorization: `Bearer ${call.token}`, "content-type": "application/json" }, JSON.stringify(registration(call)))
      : await sendRequest("POST", call.url, { authorization: `Bearer ${call.token}` }, relayForm(call));
  } catch (error) {
    scope.postMessage({ id: call.id, status: 0, statusText: "", text: "", outcomes: null, notes: null, problem: error instanceof NetworkError ? null : `the request could not be sent (${String(error)})` });
    return;
  }
  const { status, statusText, text } = answer;
  if (status < 200 || status >= 300) {
    scope.postMessage({ id: call.id, status, statusText, text, outcomes: null, notes: null, problem: null });
    return;
  }
  let outcomes: Outcomes;
  try {
    outcomes = call.kind === "register" ? readRegistered(call, text) : readRelayed(call, text);
  } catch {
    // Answered, but not with the API's JSON (a proxy's sign-in page, say): not a connection to retry.
    outcomes = { outcomes: null, notes: null, problem: `the server's answer could not be read (HTTP ${status})` };
  }
  scope.postMessage({ id: call.id, status, statusText, text: "", ...outcomes });
};

function registration(call: RegisterCall): RegisterFilesRequest {
  return {
    files: call.paths.map((path, i) => ({ path, size: call.sizes[i], last_modified: new Date(call.modified[i]).toISOString(), sha256: call.sha256[i], capture: call.captures[i] })),
    skip_duplicates: call.skipDuplicates,
  };
}

function relayForm(call: RelayCall): FormData {
  const form = new FormData();
  form.append("files", JSON.stringify({ files: call.paths.map((path, i) => ({ path, sha256: call.sha256[i] })) }));
  for (const file of call.files) form.append("file", file, "file");
  return form;
}

type Outcomes = Pick<BatchAnswer, "outcomes" | "notes" | "problem">;

function readRegistered(call: RegisterCall, text: string): Outcomes {
  return read(call.paths, (JSON.parse(text) as RegisterFilesResponse).files, (file) => {
    if (file.status === "uploaded") return [Registered.Uploaded, null];
    if (file.status === "duplicate") return [Registered.Duplicate, file.duplicate_of ?? null];
    return [Registered.Pending, null];
  });
}

function readRelayed(call: RelayCall, text: string): Outcomes {
  return read(call.paths, (JSON.parse(text) as CompleteFilesResponse).files, (file) =>
    file.status === "uploaded" ? [Relayed.Uploaded, null] : [Relayed.Failed, file.error ?? "the server found the object wrong"]);
}

/** Each answered file's outcome and note (or null), when the answer lists the files sent in order. */
function read<T extends { path: string }>(paths: string[], files: T[], outcome: (file: T) => [number, string | null]): Outcomes {
  if (!inOrder(paths, files)) return { outcomes: null, notes: null, problem: "the server's answer did not list the files sent" };
  const outcomes = new Uint8Array(files.length);
  const notes = new Map<number, string>();
  files.forEach((file, i) => {
    const [value, note] = outcome(file);
    outcomes[i] = value;
    if (note !== null) notes.set(i, note);
  });
  return { outcomes, notes, problem: null };
}

/** The answer lists exactly the files sent, in the order sent (the API answers so). */
function inOrder(paths: string[], files: { path: string }[]): boolean {
  return files.length === paths.length && files.every((file, i) => file.path === paths[i]);
}
