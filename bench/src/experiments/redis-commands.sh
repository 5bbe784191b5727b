#!/usr/bin/env bash
# Experiment: the Redis commands a chained crawl sends per page, counted by Redis itself
# (INFO commandstats, reset before the run; commands inside scripts count too, so do the bench's
# own progress reads), for the checkouts given, one after another. Run against a local Redis that
# nothing else uses meanwhile:
#   bash bench/src/experiments/redis-commands.sh PAGES DIR [DIR…]
set -euo pipefail
pages=$1
shift
for dir in "$@"; do
  redis-cli config resetstat > /dev/null
  (cd "$dir" && pnpm -s bench --pages "$pages" --chain --groups 2 --skip-peer --skip-latency > /dev/null 2>&1)
  echo "# $(git -C "$dir" rev-parse --short HEAD)$(git -C "$dir" diff --quiet HEAD -- packages services || echo ' (dirty)'), $pages pages, $(date -u +%FT%TZ)"
  redis-cli info commandstats | tr -d '\r' | python3 -c "
import re, sys
pages = $pages
rows = [(m[1], int(m[2])) for m in (re.match(r'cmdstat_(\S+):calls=(\d+)', l) for l in sys.stdin) if m]
print(f'all commands: {sum(c for _, c in rows) / pages:.1f} per page')
shown = {name for name, _ in sorted(rows, key=lambda r: -r[1])[:12]} | {'multi', 'exec', 'sadd', 'evalsha'}
for name, calls in sorted(rows, key=lambda r: -r[1]):
    if name in shown:
        print(f'  {name:24} {calls / pages:7.2f} per page')
"
done
