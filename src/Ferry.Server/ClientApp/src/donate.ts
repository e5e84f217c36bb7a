// A donation link's page: reads the token from the URL's fragment (never sent to the server by the browser), shows the
// study's policy, and sends the donor's bundle (made by `ferry donate --link URL --save FILE`) in resumable chunks with
// the token in the Ferry-Donation-Link header; then asks the server to check, re-key and store it.
import type { LinkInfo, LinkUploadResponse, LinkDonationResponse } from "./contracts";
import { problemDetail } from "./problem";

const header = "Ferry-Donation-Link";
const token = decodeURIComponent(location.hash.replace(/^#/, ""));
const error = document.querySelector<HTMLParagraphElement>("#link-error")!;
const card = document.querySelector<HTMLElement>("#link")!;

class LinkError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method, headers: { [header]: token, ...headers }, body });
  } catch {
    throw new LinkError(0, "the Ferry server cannot be reached; check the connection");
  }
  const text = await response.text();
  if (!response.ok) {
    throw new LinkError(response.status, problemDetail(response.status, response.statusText, text));
  }
  return JSON.parse(text) as T;
}

function fail(message: string) {
  error.textContent = message.charAt(0).toUpperCase() + message.slice(1) + ".";
  error.hidden = false;
}

function bytes(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

async function start() {
  if (!token) {
    fail("this page needs the whole donation link, with the part after '#'");
    return;
  }
  let info: LinkInfo;
  try {
    info = await call<LinkInfo>("GET", "/api/link");
  } catch (e) {
    fail((e as Error).message);
    return;
  }
  document.querySelector("#link-label")!.textContent = info.label;
  document.querySelector("#link-study")!.textContent = info.study;
  document.querySelector("#link-expires")!.textContent = new Date(info.expires_at).toISOString().slice(0, 16).replace("T", " ") + " UTC";
  document.querySelector("#link-max")!.textContent = bytes(info.max_bytes);
  document.querySelector("#link-version")!.textContent = info.policy_version;
  document.querySelector("#link-policy")!.textContent = info.policy_text;
  document.querySelector("#link-hash")!.textContent = info.policy_hash;
  card.hidden = false;

  const file = document.querySelector<HTMLInputElement>("#bundle")!;
  const agree = document.querySelector<HTMLInputElement>("#agree")!;
  const send = document.querySelector<HTMLButtonElement>("#send")!;
  const status = document.querySelector<HTMLParagraphElement>("#send-status")!;
  const progress = document.querySelector<HTMLProgressElement>("#send-progress")!;
  const refresh = () => (send.disabled = !(agree.checked && (file.files?.length ?? 0) === 1));
  agree.addEventListener("change", refresh);
  file.addEventListener("change", refresh);

  send.addEventListener("click", async () => {
    const bundle = file.files![0];
    send.disabled = true;
    progress.hidden = false;
    status.classList.remove("error");
    try {
      if (bundle.size > info.max_bytes) throw new LinkError(413, `the bundle has ${bytes(bundle.size)}, this link takes at most ${bytes(info.max_bytes)}`);
      status.textContent = "Sending…";
      const upload = await call<LinkUploadResponse>("POST", "/api/link/uploads",
        JSON.stringify({ length: bundle.size, consent: info.policy_version }), { "content-type": "application/json" });
      let offset = 0;
      let failures = 0;
      while (offset < bundle.size) {
        const chunk = bundle.slice(offset, Math.min(bundle.size, offset + upload.chunk_bytes));
        try {
          const done = await call<LinkUploadResponse>("PATCH", `/api/link/uploads/${upload.id}`, chunk,
            { "content-type": "application/offset+octet-stream", "upload-offset": String(offset) });
          offset = done.offset;
          failures = 0;
        } catch (e) {
          // A broken connection, 5xx or 429: wait, ask the server how much it holds, go on from there.
          const status = (e as LinkError).status;
          if ((status !== 0 && status !== 429 && status < 500) || ++failures > 8) throw e;
          await new Promise((r) => setTimeout(r, 1000 * failures));
          offset = (await call<LinkUploadResponse>("GET", `/api/link/uploads/${upload.id}`)).offset;
        }
        progress.value = Math.round((100 * offset) / bundle.size);
      }
      status.textContent = "Checking and storing your donation…";
      const donation = await call<LinkDonationResponse>("POST", `/api/link/uploads/${upload.id}/finish`);
      status.textContent = `Thank you: ${donation.records} record(s) donated. Your donor pseudonym: ${donation.donor} (keep it to withdraw or ask for erasure). You may now archive your originals.`;
    } catch (e) {
      status.textContent = `Not donated: ${(e as Error).message}.`;
      status.classList.add("error");
      send.disabled = false;
    }
  });
}

void start();
