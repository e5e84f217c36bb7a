// A request with a file in its body: from the page straight to S3 (a presigned upload or part), or a relayed batch
// from batchCalls.worker.ts, off the main thread (which sends its registrations, JSON, with it too). Sent with XMLHttpRequest, not fetch: measured in
// headless Chromium 156 (docs/benchmarks.md, "Issue 16, session 8"), fetch() with a FormData body holding a File costs
// the page 2.5 ms of main-thread time per call where XMLHttpRequest.send costs 0.7 ms, and 2,000 small files go out in
// 5.2 s instead of 8.0 s; at hundreds of files a second that was the page's largest cost.

/** The answer: the status and its text, the ETag header (null when absent or not exposed by CORS) and the body's text. */
export interface XhrAnswer {
  status: number;
  statusText: string;
  ok: boolean;
  etag: string | null;
  text: string;
}

/** The request never got an answer (refused, reset, no CORS headers on the answer): a network failure. */
export class NetworkError extends Error {}

export function sendRequest(method: string, url: string, headers: Record<string, string> | undefined, body: Blob | FormData | string): Promise<XhrAnswer> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    for (const [name, value] of Object.entries(headers ?? {})) request.setRequestHeader(name, value);
    request.onload = () => resolve({
      status: request.status,
      statusText: request.statusText,
      ok: request.status >= 200 && request.status < 300,
      etag: request.getResponseHeader("ETag"),
      text: request.responseText,
    });
    request.onerror = request.onabort = request.ontimeout = () => reject(new NetworkError("the network failed"));
    request.send(body);
  });
}
