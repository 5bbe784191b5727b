#!/usr/bin/env bash
# Every test: typecheck, lint (ESLint, Prettier, circular imports), then unit, integration and
# end-to-end suites against real Redis and Elasticsearch (started locally when not running).
set -euo pipefail
cd "$(dirname "$0")/../.."
source infra/scripts/setup.sh
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0
start=$(date +%s)
pnpm paperline stack up
echo "== typecheck" && pnpm -s typecheck
echo "== lint" && pnpm -s lint
echo "== tests (unit, integration, e2e)" && pnpm -s exec vitest run
echo "== all tests passed in $(( $(date +%s) - start )) s"
