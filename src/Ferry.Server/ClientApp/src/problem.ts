// The sentence an error answer of Ferry's API carries: its problem details' `detail`, else the HTTP status line. One
// reading for every caller: the signed-in pages' client (api.ts, and contribute.ts's upload with progress) and the
// donation link's page (donate.ts), which call different routes with different credentials.
export function problemDetail(status: number, statusText: string, body: string): string {
  let detail = `${status} ${statusText}`;
  try {
    detail = JSON.parse(body).detail ?? detail;
  } catch {
    // not JSON
  }
  return detail;
}
