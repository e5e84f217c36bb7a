// The "Contribute to science" page: uploads the chosen files with the consent to the API (progress as it sends), then
// follows the donation while the server pseudonymizes and uploads it; the page stays usable throughout.
import { Api, ApiError, formatBytes } from "./api";
import type { DonationResponse } from "./contracts";
import { problemDetail } from "./problem";


const root = document.querySelector<HTMLElement>("#contribute");
const files = document.querySelector<HTMLInputElement>("#donation-files");
if (root && files) {
  const version = root.dataset.version ?? "";
  const api = new Api(root.dataset.token ?? "");
  const agree = document.querySelector<HTMLInputElement>("#agree")!;
  const donate = document.querySelector<HTMLButtonElement>("#donate")!;
  const withdraw = document.querySelector<HTMLButtonElement>("#withdraw")!;
  const status = document.querySelector<HTMLParagraphElement>("#donation-status")!;
  const progress = document.querySelector<HTMLProgressElement>("#donation-progress")!;
  const consent = document.querySelector<HTMLElement>("#consent")!;

  const refresh = () => (donate.disabled = agree.disabled || !(agree.checked && (files.files?.length ?? 0) > 0));
  agree.addEventListener("change", refresh);
  files.addEventListener("change", refresh);

  donate.addEventListener("click", async () => {
    const chosen = Array.from(files.files ?? []);
    const wrong = chosen.find((f) => !f.name.endsWith(".jsonl.gz"));
    if (wrong) {
      say(`“${wrong.name}” is not a .jsonl.gz file; only gzip-compressed JSON Lines can be donated.`, true);
      return;
    }
    donate.disabled = true;
    const form = new FormData();
    form.append("consent", version);
    for (const file of chosen) form.append("files", file, file.name);
    const total = chosen.reduce((sum, f) => sum + f.size, 0);
    progress.hidden = false;
    say(`Sending ${chosen.length} file(s), ${formatBytes(total)}…`, false);
    try {
      await api.renewToken(); // page tokens live minutes: start the upload with a fresh one
      const started = await send(form, (sent) => {
        progress.value = Math.round((100 * sent) / Math.max(total, 1));
      });
      consent.textContent = "granted";
      let state = started;
      while (state.status === "running") {
        say(`Received. The server is ${state.phase ?? "working"} (you can keep using this page).`, false);
        await new Promise((resolve) => setTimeout(resolve, 500));
        state = await api.call<DonationResponse>("GET", `/api/donations/${state.id}`);
      }
      progress.hidden = true;
      if (state.status === "completed") {
        const malformed = state.malformed > 0 ? ` ${state.malformed} line(s) could not be read and were left out.` : "";
        say(`Thank you: ${state.files} file(s) with ${state.records} record(s) were donated and verified in the study's storage.${malformed} Your donor pseudonym is ${state.donor}.`, false);
        files.value = "";
        agree.checked = false;
      } else {
        say(`Not donated: ${state.message ?? "the server could not finish"}. Nothing of it was kept.`, true);
      }
    } catch (error) {
      progress.hidden = true;
      say(`Not donated: ${error instanceof ApiError ? error.message : String(error)}`, true);
    }
    refresh();
  });

  withdraw.addEventListener("click", async () => {
    try {
      await api.call("POST", "/api/donations/withdraw", {});
      consent.textContent = "withdrawn";
      agree.checked = false;
      agree.disabled = true;
      donate.disabled = true;
      say("Your consent is withdrawn: every further donation is refused, from any device, until you renew it on this page (reload it, then type the policy version). To have your past donations erased, ask an administrator with your donor pseudonym.", false);
    } catch (error) {
      say(`Could not withdraw: ${error instanceof ApiError ? error.message : String(error)}`, true);
    }
  });

  function say(text: string, error: boolean) {
    status.textContent = text;
    status.classList.toggle("error", error);
  }

  /** Posts the form with upload progress (fetch has none), resolving to the accepted donation. */
  function send(form: FormData, onProgress: (sent: number) => void): Promise<DonationResponse> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/donations");
      xhr.setRequestHeader("authorization", `Bearer ${api.currentToken}`);
      xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded));
      xhr.addEventListener("load", () => {
        if (xhr.status === 202) resolve(JSON.parse(xhr.responseText) as DonationResponse);
        else reject(new ApiError(xhr.status, problemDetail(xhr.status, xhr.statusText, xhr.responseText)));
      });
      xhr.addEventListener("error", () => reject(new ApiError(0, "the Ferry server cannot be reached; check the connection")));
      xhr.send(form);
    });
  }
}
