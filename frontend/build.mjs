// Builds the portal's front-end assets into ../static/vendor (git-ignored).
//
// - GC Design System utility CSS (which contains the design tokens), with its remote
//   font imports removed (the fonts are self-hosted, so no request leaves the site) and
//   purged of the rules no template, script or form uses (PurgeCSS).
// - GC Design System fonts, with their placeholder paths rewritten.
// - The Government of Canada signature and Canada wordmark SVGs, taken from the
//   gcds-components tarball (npm pack, integrity checked) without its build dependencies.
// The build fails if any stylesheet still refers to another site.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { PurgeCSS } from "purgecss";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "..", "static", "vendor");
const modules = path.join(here, "node_modules");
const cache = path.join(here, "..", ".local", "npm-pack");
const pkg = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"));

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, "fonts"), { recursive: true });
fs.mkdirSync(path.join(out, "signature"), { recursive: true });
fs.mkdirSync(cache, { recursive: true });

// 1. Fonts: copy the files, then one stylesheet with local paths.
const fontsRoot = path.join(modules, "@cdssnc", "gcds-fonts", "fonts");
let fontCss = "";
for (const family of ["noto-sans", "lato", "noto-sans-mono", "icons"]) {
  for (const file of fs.readdirSync(path.join(fontsRoot, family))) {
    if (/\.(woff2?|ttf|eot|svg)$/.test(file)) {
      fs.copyFileSync(path.join(fontsRoot, family, file), path.join(out, "fonts", file));
    }
  }
  const css = fs.readFileSync(path.join(fontsRoot, family, `gcds-${family}.css`), "utf8");
  fontCss += css.replaceAll("path/to/file/", "").replaceAll("<path-to-file>/", "");
}
fs.writeFileSync(path.join(out, "fonts", "gcds-fonts.css"), fontCss);

// 2. Utility CSS (tokens included) without remote imports; icon font served locally.
const utility = fs
  .readFileSync(path.join(modules, "@cdssnc", "gcds-utility", "dist", "gcds-utility.min.css"), "utf8")
  .replace(/@import url\(["']?https:[^)]*\)\s*;?/g, "")
  .replace(/https:\/\/[^)"']*\/gcds-fonts@[^/]+\/icons\//g, "fonts/");
// Only the rules the portal uses (PurgeCSS): the templates, the scripts and the Python code
// (form widgets, crispy layouts) are scanned for class names; design tokens (:root custom
// properties), @font-face and keyframes stay. Classes made in templates from data
// (notice-{{ tags }}, tag-{{ status }}) are kept by the safelist.
const root = path.join(here, "..");
const content = [
  "templates/**/*.html",
  "*/templates/**/*.html",
  "static/js/**/*.js",
  "{accounts,business,calculator,carm_portal,delegation,documents,finance,notices,rulings}/**/*.py",
].map((pattern) => path.join(root, pattern).replaceAll(path.sep, "/"));
const [purged] = await new PurgeCSS().purge({
  content,
  css: [{ raw: utility }],
  safelist: { standard: [/^notice-/, /^tag-/, /^has-/, "current", "done"], greedy: [/:root/] },
  keyframes: false,
  fontFace: false,
  variables: false,
});
fs.writeFileSync(path.join(out, "gcds-utility.min.css"), purged.css);
const size = (text) => {
  const raw = Buffer.byteLength(text);
  return `${(raw / 1024).toFixed(1)} KB raw, ${(zlib.gzipSync(text, { level: 9 }).length / 1024).toFixed(1)} KB gzip`;
};
console.log(`gcds-utility.min.css: ${size(utility)} -> ${size(purged.css)} (PurgeCSS)`);

// 3. Signature and wordmark from the components tarball.
const spec = pkg.packOnly["@cdssnc/gcds-components"];
const tarball = path.join(cache, `cdssnc-gcds-components-${spec.version}.tgz`);
if (!fs.existsSync(tarball)) {
  execFileSync("npm", ["pack", `@cdssnc/gcds-components@${spec.version}`, "--pack-destination", cache, "--loglevel=error"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}
const digest = "sha512-" + createHash("sha512").update(fs.readFileSync(tarball)).digest("base64");
if (digest !== spec.integrity) {
  fs.rmSync(tarball);
  throw new Error(`integrity mismatch for ${tarball}: ${digest}`);
}
const assets = "package/dist/collection/components/gcds-signature/assets";
const names = ["sig-blk-en.svg", "sig-blk-fr.svg", "wmms-spl-en.svg", "wmms-spl-fr.svg"];
execFileSync("tar", ["-xzf", tarball, "-C", path.join(out, "signature"), "--strip-components=6",
  ...names.map((n) => `${assets}/${n}`)]);

// 4. Nothing may point at another site.
for (const file of ["gcds-utility.min.css", "fonts/gcds-fonts.css"]) {
  const text = fs.readFileSync(path.join(out, file), "utf8");
  const remote = text.match(/(url\(|@import)\s*["']?(https?:)?\/\//);
  if (remote) throw new Error(`${file} still refers to another site: ${remote[0]}`);
}
fs.writeFileSync(path.join(out, ".built"), new Date().toISOString() + "\n");
console.log(`front-end assets built in ${path.relative(process.cwd(), out)}`);
