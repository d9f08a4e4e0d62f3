#!/usr/bin/env bash
# Installs the packed package the way a user's project would, from the local npm cache where it can (the
# registry only for metadata), and checks that it installs light: an app that only records (the SDK, mlobs/register,
# instrumentPredict) gets no native module built, and the collector asks for better-sqlite3 (an
# optional peer dependency) by name when a config wants SQLite state while the in-memory state
# works without it. Packs the dist/ that `npm ci` (prepare) or `npm run build` made.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(npm pack --ignore-scripts --silent --pack-destination "$work" 2>/dev/null | tail -n 1)
mkdir "$work/app"
cd "$work/app"
printf '{ "name": "record-only-app", "version": "1.0.0", "private": true }\n' >package.json
api=$(node -p "require('$repo/package.json').devDependencies['@opentelemetry/api']")
sdknode=$(node -p "require('$repo/package.json').devDependencies['@opentelemetry/sdk-node']")
# --prefer-offline: tarballs from the npm cache (npm ci filled it), the registry only for metadata it lacks;
# --foreground-scripts: any install script would show in the log.
npm install --prefer-offline --no-audit --no-fund --foreground-scripts --loglevel=error \
  "$work/$tarball" "@opentelemetry/api@$api" "@opentelemetry/sdk-node@$sdknode" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; exit 1; }

fail() { echo "check-install: $*" >&2; exit 1; }
[ -d node_modules/mlobs ] || fail "mlobs was not installed"
[ ! -e node_modules/better-sqlite3 ] || fail "better-sqlite3 was installed for a record-only app"
natives=$(find node_modules -name '*.node' -o -name binding.gyp | head -n 5)
[ -z "$natives" ] || fail "native modules in a record-only install: $natives"

# The SDK and instrumentPredict through mlobs/register, spans printed by the console exporter.
cat >app.js <<'JS'
const { component } = require('mlobs');
const { instrumentPredict } = require('mlobs/instrumentation');
const predict = instrumentPredict((rows) => rows.map((r) => (r.age > 40 ? 1 : 0)), {
  name: 'churn-model',
  model: { name: 'churn', version: '1' },
  features: (rows) => ({ age: Float64Array.from(rows, (r) => r.age) }),
  predictions: (out) => ({ values: Float64Array.from(out) }),
});
component('score', { pipeline: 'check-install', kind: 'inference' }, async (run) => {
  const rows = [{ age: 30 }, { age: 50 }];
  run.recordFeatures({ age: Float64Array.from(rows, (r) => r.age) });
  return predict(rows);
}).then((out) => console.log(`predicted ${JSON.stringify(out)}`));
JS
out=$(OTEL_TRACES_EXPORTER=console OTEL_METRICS_EXPORTER=none OTEL_LOGS_EXPORTER=none \
  node --require mlobs/register app.js 2>&1) || fail "the record-only app failed: $out"
grep -q 'predicted \[0,1\]' <<<"$out" || fail "no prediction in: $out"
grep -q "name: 'score'" <<<"$out" || fail "no component span exported: $out"
grep -q "name: 'churn-model'" <<<"$out" || fail "no instrumentPredict span exported: $out"
grep -q "ml.features" <<<"$out" || fail "no feature summary on the spans: $out"

# The collector without better-sqlite3: SQLite state is refused by name, memory state runs.
cat >sqlite.yaml <<'YAML'
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } } }
processors: { ml: { storage: { type: sqlite, path: ./state.db } } }
exporters: { debug: {} }
service:
  telemetry: { endpoint: 127.0.0.1:0 }
  pipelines: { traces: { receivers: [otlp], processors: [ml], exporters: [debug] } }
YAML
sed 's/type: sqlite, path: .\/state.db/type: memory/' sqlite.yaml >memory.yaml
if out=$(timeout 60 ./node_modules/.bin/mlobs collector --config sqlite.yaml 2>&1); then
  fail "the collector started with SQLite state and no better-sqlite3"
fi
grep -q 'MLOBS_ERR_DEPENDENCY_MISSING' <<<"$out" || fail "no MLOBS_ERR_DEPENDENCY_MISSING in: $out"
grep -q 'processors::ml::storage::type' <<<"$out" || fail "the config path is not named: $out"
grep -q 'npm install better-sqlite3@12' <<<"$out" || fail "the install command is not named: $out"
refusal=$(grep -m1 'MLOBS_ERR_DEPENDENCY_MISSING' <<<"$out")
./node_modules/.bin/mlobs collector --config memory.yaml >collector.log 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  grep -q 'collector ready' collector.log && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
grep -q 'collector ready' collector.log || { kill "$pid" 2>/dev/null; fail "the in-memory collector did not start: $(cat collector.log)"; }
kill -TERM "$pid"
wait "$pid" || fail "the in-memory collector did not stop cleanly: $(cat collector.log)"
echo "check-install: record-only install has no native module; the collector without better-sqlite3 says:"
echo "  $refusal"
