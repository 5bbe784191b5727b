--[[
  Stores the merges of one page's papers in the dedup cache, each as a compare-and-set on the
  paper's revision (PaperCache.commit).

  KEYS[1..n] paper:<id>   hash per paper: 'src:<source>', 'first', 'hash', 'hashJob', 'hydrated',
                          'emb' (the vector), 'embHash' (its text's hash),
                          'rev' (revision), 'ver' (merge version), …
                          Each paper is a slot of its own: on Redis Cluster a call gets the papers
                          of one slot (the caller groups them), and each paper's write stands alone.

  ARGV[1]   ttl in seconds: each stored paper expires this long after the write
  then per paper, in the order of KEYS:
    the revision read, the version floor, n, then n items: field, value, field, value, …

  Per paper: if its revision is still the one read, stores the fields, takes a new merge version
  and bumps the revision; otherwise leaves it alone. The merge version orders writes
  (Elasticsearch external versions): Redis's clock in µs, always above the paper's last version
  and above the floor (the indexed version, when the paper was filled from the index).

  Returns per paper its new merge version, or '-1' when another write changed it first (read it
  again).
]]
local ttl = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}
local a = 2
for i, k in ipairs(KEYS) do
  local n = tonumber(ARGV[a + 2])
  local rev = redis.call('HGET', k, 'rev') or '0'
  if rev ~= ARGV[a] then
    out[i] = '-1'
  else
    if n > 0 then redis.call('HSET', k, unpack(ARGV, a + 3, a + 2 + n)) end
    local ver = math.max(now, tonumber(redis.call('HGET', k, 'ver') or '0') + 1, tonumber(ARGV[a + 1]) + 1)
    ver = string.format('%.0f', ver)
    redis.call('HSET', k, 'ver', ver, 'rev', tostring(tonumber(rev) + 1))
    redis.call('EXPIRE', k, ttl)
    out[i] = ver
  end
  a = a + 3 + n
end
return out
