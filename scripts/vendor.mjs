// Copy front-end assets from node_modules/ into static/vendor/.
// Update: bump versions in package.json, `npm install`, `npm run vendor`,
// then refresh the version column in static/vendor/README.md.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const nodeModules = join(root, "node_modules");
const vendor = join(root, "static", "vendor");

// Source maps are copied too: the minified files end in a sourceMappingURL
// comment, and Django's ManifestStaticFilesStorage (whitenoise) fails
// collectstatic when a referenced file is missing.
// package -> [target dir, [[source (relative to package), destination (relative to target)], ...]]
const plan = {
  bootstrap: ["bootstrap", [
    ["dist/css/bootstrap.min.css", "bootstrap.min.css"],
    ["dist/css/bootstrap.min.css.map", "bootstrap.min.css.map"],
    ["dist/js/bootstrap.bundle.min.js", "bootstrap.bundle.min.js"],
    ["dist/js/bootstrap.bundle.min.js.map", "bootstrap.bundle.min.js.map"],
    ["LICENSE", "LICENSE"],
  ]],
  "chart.js": ["chartjs", [
    ["dist/chart.umd.min.js", "chart.umd.min.js"],
    ["dist/chart.umd.min.js.map", "chart.umd.min.js.map"],
    ["LICENSE.md", "LICENSE"],
  ]],
  leaflet: ["leaflet", [
    ["dist/leaflet.js", "leaflet.js"],
    ["dist/leaflet.js.map", "leaflet.js.map"],
    ["dist/leaflet.css", "leaflet.css"],
    ["dist/images/*.png", "images/"],
    ["LICENSE", "LICENSE"],
  ]],
  "htmx.org": ["htmx", [
    ["dist/htmx.min.js", "htmx.min.js"],
    ["LICENSE", "LICENSE"],
  ]],
};

function copy(src, dest) {
  if (!existsSync(src)) throw new Error(`missing: ${src}`);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
  console.log(`  ${src.slice(root.length + 1)} -> ${dest.slice(root.length + 1)}`);
}

for (const [pkg, [target, files]] of Object.entries(plan)) {
  const pkgDir = join(nodeModules, pkg);
  if (!existsSync(pkgDir)) throw new Error(`${pkg} not installed: run \`npm install\` first`);
  const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const outDir = join(vendor, target);
  rmSync(outDir, { recursive: true, force: true }); // drop files of the old version
  console.log(`${pkg}@${version} -> static/vendor/${target}/`);
  for (const [src, dest] of files) {
    if (src.endsWith("*.png")) {
      const srcDir = join(pkgDir, dirname(src));
      for (const name of readdirSync(srcDir).filter((n) => n.endsWith(".png")).sort()) {
        copy(join(srcDir, name), join(outDir, dest, name));
      }
    } else {
      copy(join(pkgDir, src), join(outDir, dest));
    }
  }
}
