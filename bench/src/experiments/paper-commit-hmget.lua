--[[
  The variant of packages/core/lua/paper-commit.lua that bench/src/experiments/commit-script.ts
  measures: the same compare-and-set per paper, with one HMGET of the revision and the version and
  one HSET of every field (three calls per paper instead of five). Not used by the product: Redis
  spent no less on it (bench/README.md, 2026-12-07 afternoon).
]]
local ttl = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}
local a = 2
for i, k in ipairs(KEYS) do
  local n = tonumber(ARGV[a + 2])
  local cur = redis.call('HMGET', k, 'rev', 'ver')
  local rev = cur[1] or '0'
  if rev ~= ARGV[a] then
    out[i] = '-1'
  else
    local ver = string.format('%.0f', math.max(now, tonumber(cur[2] or '0') + 1, tonumber(ARGV[a + 1]) + 1))
    redis.call('HSET', k, 'ver', ver, 'rev', tostring(tonumber(rev) + 1), unpack(ARGV, a + 3, a + 2 + n))
    redis.call('EXPIRE', k, ttl)
    out[i] = ver
  end
  a = a + 3 + n
end
return out
