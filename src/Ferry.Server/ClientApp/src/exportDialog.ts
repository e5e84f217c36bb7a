// The audit-export dialog: three choices (export to S3, download a zip only, cancel), a second confirmation that says
// exactly what will happen, progress while the server builds and delivers the bundle, and the outcome in words.
import { Api, ApiError } from "./api";
import type { ExportResponse, StartExportRequest } from "./contracts";


export interface ExportTarget {
  sessionId: number;
  bucket: string;
  files: number;
}

export class ExportDialog {
  private readonly dialog: HTMLDialogElement;
  private target: ExportTarget | null = null;
  private choice: "s3" | "download" = "s3";

  constructor(private readonly api: Api) {
    this.dialog = document.querySelector<HTMLDialogElement>("#export-dialog")!;
    for (const button of this.dialog.querySelectorAll<HTMLButtonElement>("[data-choice]")) {
      button.addEventListener("click", () => this.choose(button.dataset.choice as "s3" | "download" | "cancel"));
    }
    this.button("back").addEventListener("click", () => this.show("choose"));
    this.button("go").addEventListener("click", () => void this.run());
    this.button("close").addEventListener("click", () => this.dialog.close());
  }

  open(target: ExportTarget): void {
    this.target = target;
    this.dialog.querySelector(".session-id")!.textContent = String(target.sessionId);
    this.show("choose");
    if (!this.dialog.open) this.dialog.showModal();
  }

  private choose(choice: "s3" | "download" | "cancel"): void {
    if (choice === "cancel") {
      this.dialog.close();
      return;
    }
    this.choice = choice;
    const t = this.target!;
    const prefix = this.dialog.dataset.exportPrefix ?? "ferry-exports";
    const files = `the records of ${t.files.toLocaleString()} file(s)`;
    const text = this.dialog.querySelector<HTMLParagraphElement>(".confirm-text")!;
    const go = this.button("go");
    if (choice === "s3") {
      text.textContent = `This will write the audit bundle of session ${t.sessionId} (${files}) to a new folder s3://${t.bucket}/${prefix}/YYYYMMDD_HHMMSS_session-${t.sessionId}-…/ in the project's bucket, verify every file by size and SHA-256, and keep a zip for download. Nothing else in the bucket is changed. If S3 cannot be reached, the bundle is kept on the server and delivered automatically when S3 is back.`;
      go.textContent = "Export to S3 now";
    } else {
      text.textContent = `This will build the audit bundle of session ${t.sessionId} (${files}) as a zip on the Ferry server and give you a link to download it. Nothing is written to S3.`;
      go.textContent = "Build the zip";
    }
    this.show("confirm");
  }

  private async run(): Promise<void> {
    const t = this.target!;
    this.show("progress");
    this.progress("Starting…", null);
    try {
      let state = await this.api.call<ExportResponse>("POST", `/api/sessions/${t.sessionId}/exports`, { target: this.choice } satisfies StartExportRequest);
      while (state.status === "running") {
        const done = state.files_done ?? 0;
        const total = state.files_total;
        this.progress(state.phase === "uploading" ? `Uploading and verifying: ${done} of ${total ?? "?"} file(s)` : state.phase === "zipping" ? "Writing the zip…" : "Collecting the session's records…", total ? done / total : null);
        await new Promise((resolve) => setTimeout(resolve, 400));
        state = await this.api.call<ExportResponse>("GET", `/api/exports/${state.id}`);
      }
      this.result(state);
    } catch (error) {
      this.show("result");
      this.dialog.querySelector(".result-title")!.textContent = "Export not started";
      this.dialog.querySelector(".result-text")!.textContent = error instanceof ApiError ? error.message : String(error);
      this.dialog.querySelector<HTMLAnchorElement>(".download")!.hidden = true;
    }
  }

  private result(state: ExportResponse): void {
    this.show("result");
    const title = this.dialog.querySelector(".result-title")!;
    const text = this.dialog.querySelector(".result-text")!;
    const link = this.dialog.querySelector<HTMLAnchorElement>(".download")!;
    const size = `${state.files} file(s) and 2 reports`;
    switch (state.status) {
      case "delivered":
        title.textContent = "Exported to S3";
        text.textContent = `The audit bundle (${size}) is at ${state.location} — every file verified.`;
        break;
      case "queued":
        title.textContent = "Saved on the server; S3 is not reachable now";
        text.textContent = `S3 refused or could not be reached (${state.message}). The complete bundle waits on the Ferry server and will be delivered to ${state.location} automatically; administrators see its progress under Exports.`;
        break;
      case "ready":
        title.textContent = "Zip ready";
        text.textContent = `The audit bundle (${size}) is ready to download. Nothing was written to S3.`;
        break;
      default:
        title.textContent = "Export failed";
        text.textContent = `The bundle could not be built: ${state.message}. Nothing was sent.`;
    }
    link.hidden = !state.bundle || state.status === "failed";
    link.href = `/exports/${state.id}/download`;
    link.setAttribute("download", `${state.bundle}.zip`);
  }

  private progress(message: string, fraction: number | null): void {
    this.dialog.querySelector(".progress-text")!.textContent = message;
    const bar = this.dialog.querySelector<HTMLProgressElement>("progress")!;
    if (fraction === null) bar.removeAttribute("value");
    else bar.value = Math.round(fraction * 100);
  }

  private show(step: "choose" | "confirm" | "progress" | "result"): void {
    for (const section of this.dialog.querySelectorAll<HTMLElement>("[data-step]")) {
      section.hidden = section.dataset.step !== step;
    }
  }

  private button(action: string): HTMLButtonElement {
    return this.dialog.querySelector<HTMLButtonElement>(`[data-action='${action}']`)!;
  }
}
