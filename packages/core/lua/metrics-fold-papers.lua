--[[
  Folds crawls' paper counts into the cluster-wide paper totals (foldPaperTotals).

  KEYS[1] {metrics}:paperline_papers_total   hash: the three totals, by encoded label set
  KEYS[2] {metrics}:papers_folded            hash: crawl id -> 'indexed,unchanged,duplicate' folded so far

  ARGV: per crawl 4 items — crawl id, indexed, unchanged, duplicate — then the cutoff crawl id,
        then the 3 totals' field names (indexed, unchanged, duplicate)

  Adds to the totals what each crawl gained since it was last folded (never less than zero, so the
  totals only grow), remembers what was folded, and forgets crawls older than the cutoff (crawl ids
  sort by start time; older crawls are not folded).

  Returns the three totals.
]]
local names = { ARGV[#ARGV - 2], ARGV[#ARGV - 1], ARGV[#ARGV] }
local cutoff = ARGV[#ARGV - 3]
for i = 1, #ARGV - 4, 4 do
  local id = ARGV[i]
  if id >= cutoff then
    local prev = { 0, 0, 0 }
    local raw = redis.call('HGET', KEYS[2], id)
    if raw then
      local j = 1
      for v in string.gmatch(raw, '[^,]+') do prev[j] = tonumber(v) or 0; j = j + 1 end
    end
    for j = 1, 3 do
      local cur = tonumber(ARGV[i + j]) or 0
      if cur > prev[j] then
        redis.call('HINCRBY', KEYS[1], names[j], cur - prev[j])
        prev[j] = cur
      end
    end
    redis.call('HSET', KEYS[2], id, prev[1] .. ',' .. prev[2] .. ',' .. prev[3])
  end
end
for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do
  if f < cutoff then redis.call('HDEL', KEYS[2], f) end
end
return redis.call('HMGET', KEYS[1], names[1], names[2], names[3])
