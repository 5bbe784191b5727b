#!/usr/bin/env bash
# The main job: the whole pipeline on the embedded local stack and the bundled snapshot site.
set -euo pipefail
cd "$(dirname "$0")/../.."
source infra/scripts/setup.sh
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0
exec pnpm -s paperline demo "$@"
