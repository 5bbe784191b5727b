#!/usr/bin/env bash
# Experiment: the Redis commands a chained crawl sends per page and the time Redis spends on them,
# counted by Redis itself, for the checkouts given, one after another. Run against a local Redis
# that nothing else uses meanwhile:
#   bash bench/src/experiments/redis-commands.sh PAGES DIR [DIR…]
# - INFO commandstats (reset before the run): calls and microseconds per page by command. Commands
#   a script calls count under their own names too, and inside the script's EVALSHA time; the
#   bench's own progress reads and its clean-up (SCAN, UNLINK) count as well.
# - SLOWLOG with a threshold of 0 (every command logged, which costs Redis a little): the time of
#   each script, told apart by its SHA and its first key's kind (the key with its prefix and ids cut).
#   The log keeps the last 1,000,000 entries; a long run loses its first ones, so keep PAGES small.
set -euo pipefail
pages=$1
shift
for dir in "$@"; do
  redis-cli config resetstat > /dev/null
  old_threshold=$(redis-cli config get slowlog-log-slower-than | tail -1)
  old_len=$(redis-cli config get slowlog-max-len | tail -1)
  redis-cli config set slowlog-log-slower-than 0 > /dev/null
  redis-cli config set slowlog-max-len 1000000 > /dev/null
  redis-cli slowlog reset > /dev/null
  (cd "$dir" && pnpm -s bench --pages "$pages" --chain --groups 2 --skip-peer --skip-latency --warmup-pages 0 > /dev/null 2>&1)
  redis-cli config set slowlog-log-slower-than "$old_threshold" > /dev/null
  echo "# $(git -C "$dir" rev-parse --short HEAD)$(git -C "$dir" diff --quiet HEAD -- packages services || echo ' (dirty)'), $pages pages, $(date -u +%FT%TZ)"
  redis-cli info commandstats | tr -d '\r' | python3 -c "
import re, sys
pages = $pages
rows = [(m[1], int(m[2]), int(m[3])) for m in (re.match(r'cmdstat_(\S+):calls=(\d+),usec=(\d+)', l) for l in sys.stdin) if m]
print(f'all commands: {sum(c for _, c, _ in rows) / pages:.1f} per page (scripts\' inner commands counted twice in the time: {sum(u for *_, u in rows) / pages:.0f} µs per page)')
for name, calls, usec in sorted(rows, key=lambda r: -r[2])[:16]:
    print(f'  {name:16} {calls / pages:7.2f} per page {usec / pages:8.1f} µs per page {usec / calls:8.2f} µs per call')
"
  redis-cli --json slowlog get 1000000 | python3 -c "
import json, re, sys
pages = $pages
log = json.load(sys.stdin)
by = {}
for _, _, usec, args, *_ in log:
    if str(args[0]).lower() != 'evalsha':
        continue
    kind = re.sub(r'^[^:]*:', '', args[3] if len(args) > 3 else '')
    kind = re.sub(r'\{[^}]*\}|[0-9][0-9.:a-f-]*', '#', kind)[:40]
    key = f'{args[1][:12]} {kind}'
    calls, total = by.get(key, (0, 0))
    by[key] = (calls + 1, total + usec)
print(f'scripts (SLOWLOG, {len(log)} commands logged):')
for key, (calls, usec) in sorted(by.items(), key=lambda kv: -kv[1][1])[:10]:
    print(f'  {key:54} {calls / pages:6.2f} per page {usec / pages:8.1f} µs per page {usec / calls:8.1f} µs per call')
"
  redis-cli config set slowlog-max-len "$old_len" > /dev/null
  redis-cli slowlog reset > /dev/null
done
