--[[
  Queues arXiv ids of a crawl for enrichment, each id at most once while its claim lasts
  (EnrichmentQueue.add).

  KEYS[1]        {enrich}:pending:<crawl>   sorted set: waiting arXiv id -> when it was queued
                                            (µs since the epoch, Redis's clock)
  KEYS[2..n+1]   {enrich}:claim:<arXiv id>  the dedupe job that queued the id

  ARGV[1]        owner               the dedupe job's id
  ARGV[2]        claimTtlSeconds     how long an id stays claimed (asked for once in that time)
  ARGV[3]        pendingTtlSeconds   how long a crawl's waiting ids are kept after the last add
  ARGV[4..n+3]   the arXiv ids, in the order of their claim keys

  Returns the ids this owner queued, now or in an earlier run of the same job: a job re-run after
  a crash hands them on again without queueing them twice. Ids another job claimed are left out.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local owner = ARGV[1]
local out = {}
local added = 0
for i = 2, #KEYS do
  local id = ARGV[i + 2]
  if redis.call('SET', KEYS[i], owner, 'NX', 'EX', ARGV[2]) then
    redis.call('ZADD', KEYS[1], now, id)
    added = added + 1
    out[#out + 1] = id
  elseif redis.call('GET', KEYS[i]) == owner then
    out[#out + 1] = id
  end
end
if added > 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return out
