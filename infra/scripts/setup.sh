#!/usr/bin/env bash
# Makes a fresh checkout runnable: pnpm through corepack, the node modules, then the compiled
# JavaScript (`tsc -b` into each package's dist/). Idempotent and quick when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/../.."
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
# The signing keys bundled with Node 20's corepack are older than the ones pnpm 10 releases are signed with.
export COREPACK_INTEGRITY_KEYS=0
if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version >/dev/null 2>&1; then
  echo "setup: enabling pnpm through corepack" >&2
  corepack enable 2>/dev/null || { mkdir -p "$HOME/.local/bin"; corepack enable --install-directory "$HOME/.local/bin"; export PATH="$HOME/.local/bin:$PATH"; }
fi
if [ ! -d node_modules/.pnpm ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  echo "setup: installing node modules" >&2
  pnpm install --frozen-lockfile --reporter=silent
fi
# Incremental: only packages whose sources changed are compiled again.
pnpm -s build
# The embedding model (all-MiniLM-L6-v2 from Maven Central) and its reference's classpath, cached.
pnpm -s exec tsx packages/embeddings/src/provision.ts
