#!/usr/bin/env bash
# The whole test suite, as `npm test` runs it: lint (ESLint, Prettier), unit, the HTML report in
# headless Chromium, then the host's Docker engine, then end to end with real IPVS (directly where the
# kernel has ip_vs, else in ../shared/kernel-vm/vm).
set -euo pipefail
cd "$(dirname "$0")/.."
# vitest 5, ESLint 10 and lvslab itself need Node >= 22.19 (package.json engines); an older Node fails
# deep inside vitest (e.g. "Map.groupBy is not a function"), so say it here in one line.
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 19) ? 0 : 1)' || {
  echo "lvslab tests: Node $(node --version) is too old: they need Node >= 22.19 (fix: put Node 22 or 24 first on PATH; .ci/run installs Node 24)" >&2
  exit 1
}
results=.cache/test-results
rm -rf "$results"; mkdir -p "$results"
summary() {
  node -e '
    const fs = require("fs"); let p = 0, f = 0, s = 0;
    for (const n of fs.readdirSync(process.argv[1]).filter((n) => n.endsWith(".json"))) {
      const r = JSON.parse(fs.readFileSync(`${process.argv[1]}/${n}`, "utf8"));
      p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + (r.numTodoTests ?? 0);
    }
    console.log(`lvslab tests: ${p} passed, ${f} failed, ${s} skipped`);
  ' "$results" 2>/dev/null || true
}
trap summary EXIT
run() { local project=$1; shift; "$@" --reporter=default --reporter=json --outputFile.json="$results/$project.json"; }

npm run -s lint
npm run -s typecheck
npm run build
run unit npx vitest run --project unit
run browser npx vitest run --project browser
export LVSLAB_ROOTFS=${LVSLAB_ROOTFS:-$(bash test/fixtures/make-rootfs.sh)}
run docker npx vitest run --project docker
run e2e node test/e2e/launch.js
