// The session page's "Export audit bundle…" button.
import { Api } from "./api";
import { ExportDialog } from "./exportDialog";

const button = document.querySelector<HTMLButtonElement>("#export-session");
if (button) {
  const dialog = new ExportDialog(new Api(button.dataset.token ?? ""));
  button.addEventListener("click", () =>
    dialog.open({ sessionId: Number(button.dataset.session), bucket: button.dataset.bucket ?? "", files: Number(button.dataset.files) }),
  );
}
