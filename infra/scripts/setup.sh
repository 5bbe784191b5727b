#!/usr/bin/env bash
# Makes a fresh checkout runnable: pnpm through corepack, then the node modules.
# Idempotent and quick when everything is in place.
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
# The browser test drives Debian's chromium; tests install nothing, so it is installed here.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium (apt-get; for the browser test)" >&2
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2; then
      echo "setup: could not install chromium with apt-get; test/e2e/browser.test.ts will fail until /usr/bin/chromium exists" >&2
    fi
  else
    echo "setup: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get);" \
      "install Debian's chromium package, or test/e2e/browser.test.ts will fail" >&2
  fi
fi
