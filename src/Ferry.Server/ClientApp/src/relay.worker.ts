// The upload page's relay requests, off the main thread. Sending a form that holds a hundred File objects makes
// Chromium look up each file's metadata while it serializes the body; on the page's main thread, with both cores busy,
// one such send blocked the page for up to half a second (100,000-file folder, docs/benchmarks.md, "Issue 16, session
// 16"). Here it blocks no one: the page posts the batch (the File objects are cloned, a few microseconds each) and gets
// the answer back. Sent with XMLHttpRequest, which dedicated workers have too: measured, fetch() here cost Chromium's
// processes 1.5 times the CPU per batch (docs/benchmarks.md, session 16).
import { sendRequest } from "./xhrRequest";

/** One relay call: the form's 'files' field (JSON) and the files in the same order, sent to url with the bearer token. */
export interface RelayRequest {
  id: number;
  url: string;
  token: string;
  manifest: string;
  files: File[];
}

/** The answer: the HTTP status and body, or status 0 when the request never got one (the network failed). */
export interface RelayAnswer {
  id: number;
  status: number;
  text: string;
}

const scope = self as unknown as { onmessage: ((event: MessageEvent<RelayRequest>) => void) | null; postMessage(message: RelayAnswer): void };

scope.onmessage = async (event) => {
  const { id, url, token, manifest, files } = event.data;
  const form = new FormData();
  form.append("files", manifest);
  for (const file of files) form.append("file", file, "file");
  try {
    const answer = await sendRequest("POST", url, { authorization: `Bearer ${token}` }, form);
    scope.postMessage({ id, status: answer.status, text: answer.text });
  } catch {
    scope.postMessage({ id, status: 0, text: "" });
  }
};
