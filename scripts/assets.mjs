// Builds the hub's vendor assets into internal/web/assets/static/vendor/:
// one stylesheet compiled from GOV.UK Frontend and MoJ Frontend without GOV.UK
// branding, and the two libraries' ES module bundles. Run by `npm run
// build:assets` (the Makefile's assets target) after `npm ci`.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "internal/web/assets/static/vendor");
const govuk = join(root, "node_modules/govuk-frontend/dist/govuk");
const moj = join(root, "node_modules/@ministryofjustice/frontend/moj");

// The only images the components draw. Inlined as data: URIs because every
// asset URL carries its own checksum, so a stylesheet cannot point at a file
// beside it. The crest is GOV.UK branding: it is dropped, never drawn.
const imageDirs = [join(moj, "assets/images"), join(govuk, "assets/images")];
const dropped = new Set(["govuk-crest.svg"]);

function inline(name) {
  if (dropped.has(name)) return "none";
  const dir = imageDirs.find((d) => existsSync(join(d, name)));
  if (!dir || !name.endsWith(".svg")) throw new Error(`assets: no SVG image ${name} to inline`);
  const b64 = readFileSync(join(dir, name)).toString("base64");
  return `url("data:image/svg+xml;base64,${b64}")`;
}

function buildCSS() {
  const result = sass.compile(join(root, "internal/web/assets/src/hub.scss"), {
    loadPaths: [root],
    style: "compressed",
    // The libraries' notices about their own deprecated internals are theirs
    // to fix; anything about our Sass is shown.
    logger: {
      warn(message, { span, stack }) {
        const origin = span?.url?.pathname ?? stack?.split("\n")[0] ?? "";
        if (!origin.includes("node_modules/")) console.warn(`sass: ${message}\n${stack ?? ""}`);
      },
    },
  });
  const css = result.css.replace(/url\(["']?\/hub-inline\/([^"')]+)["']?\)/g, (_, name) => inline(name));
  // The stylesheet must not bring back what this build exists to leave out:
  // the GDS Transport font, or any image but the inlined icons.
  for (const banned of ["GDS Transport", "@font-face", "hub-inline"]) {
    if (css.includes(banned)) throw new Error(`assets: the stylesheet still mentions ${JSON.stringify(banned)}`);
  }
  for (const [u] of css.matchAll(/url\([^)]{0,40}/g)) {
    if (!u.startsWith('url("data:image/svg+xml;base64,')) throw new Error(`assets: the stylesheet loads ${u}`);
  }
  writeFileSync(join(out, "hub-frontend.css"), css);
}

function copyScripts() {
  copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
  copyFileSync(join(moj, "moj-frontend.min.js"), join(out, "moj-frontend.min.js"));
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
buildCSS();
copyScripts();
for (const f of ["hub-frontend.css", "govuk-frontend.min.js", "moj-frontend.min.js"]) {
  const b = readFileSync(join(out, f));
  console.log(`${f} ${b.length} bytes sha256:${createHash("sha256").update(b).digest("hex").slice(0, 12)}`);
}
