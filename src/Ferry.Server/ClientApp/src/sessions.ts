// Live rows on the sessions page: each active session listens to its Server-Sent Events until it finishes.
import { formatBytes } from "./api";
import type { SessionProgress } from "./contracts";


const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>("tr[data-active='true']")).slice(0, 20);
for (const row of rows) {
  const id = row.dataset.session;
  // Same origin: the browser sends the sign-in cookie; no token ever goes into a URL.
  const events = new EventSource(`/api/sessions/${id}/events`);
  events.addEventListener("progress", (event) => {
    const p = JSON.parse((event as MessageEvent).data) as SessionProgress;
    row.querySelector(".status")!.textContent = p.status;
    row.querySelector(".files")!.textContent = `${p.uploaded_files + p.skipped_files} / ${p.total_files}`;
    row.querySelector(".bytes")!.textContent = `${formatBytes(p.uploaded_bytes + p.skipped_bytes)} / ${formatBytes(p.total_bytes)}`;
    row.querySelector(".failed")!.textContent = String(p.failed_files);
  });
  events.addEventListener("end", () => events.close());
}
