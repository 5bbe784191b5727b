#!/usr/bin/env bash
# Every test: typecheck, lint (ESLint, Prettier, circular imports), then unit, integration and
# end-to-end suites against real Redis and Elasticsearch (started locally when not running).
set -euo pipefail
cd "$(dirname "$0")/../.."
source infra/scripts/setup.sh
source infra/scripts/setup-tests.sh
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0
start=$(date +%s)
pnpm paperline stack up
echo "== typecheck and build (tsc -b)" && pnpm -s typecheck
echo "== lint" && pnpm -s lint
echo "== audit (production dependencies, high and critical)"
# A registry without the audit endpoint (405) cannot be asked; say so and go on. Any advisory
# of high or critical severity fails the run.
if ! out=$(pnpm audit --prod --audit-level high 2>&1); then
  if grep -q "ERR_PNPM_AUDIT_BAD_RESPONSE\|ERR_PNPM_AUDIT_ENDPOINT_NOT_EXISTS" <<<"$out"; then
    echo "audit: the registry has no audit endpoint here; skipped ($(grep -o 'responded with [0-9]*' <<<"$out" | head -1))"
  else
    echo "$out"; exit 1
  fi
else
  echo "$out" | tail -1
fi
echo "== tests (unit, integration, e2e, faults)"
mkdir -p test-artifacts
pnpm -s exec vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json
node -e 'const r=require("./test-artifacts/vitest.json"); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)'
echo "== benchmark smoke (N = 20)" && pnpm -s bench --pages 20 --latency-seconds 10 --peer-concurrency 8 --gc --recrawl --json | tail -1
echo "== all tests passed in $(( $(date +%s) - start )) s"
