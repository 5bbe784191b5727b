--[[
  Moves a job of a crawl to a state, keeping the pending count and the failed set in step
  (CrawlStore.transition). Moving a job to the state it is in changes nothing. The move that leaves
  no job pending in a sealed crawl finishes it; a move back to pending reopens it.

  KEYS[1] crawl:{<id>}:jobs   hash: job id -> 'p' (pending), 'd' (done) or 'f' (failed)
  KEYS[2] crawl:{<id>}:open   the number of pending jobs
  KEYS[3] crawl:{<id>}:failed set of failed job ids
  KEYS[4] crawl:{<id>}:meta   hash: 'sealed', 'finishedAt', …

  ARGV[1] job id
  ARGV[2] the new state: 'p', 'd' or 'f'
  ARGV[3] now, as an ISO 8601 time (the crawl's finishedAt if this move finishes it)

  Returns 2 when this move finished the crawl, 1 when it changed something else, 0 when nothing.
]]
local from = redis.call('HGET', KEYS[1], ARGV[1])
local to = ARGV[2]
if from == to then return 0 end
if from == false then
  if to == 'p' then redis.call('HSET', KEYS[1], ARGV[1], 'p'); redis.call('INCR', KEYS[2]) return 1 end
  redis.call('HSET', KEYS[1], ARGV[1], to)
  if to == 'f' then redis.call('SADD', KEYS[3], ARGV[1]) end
  return 1
end
redis.call('HSET', KEYS[1], ARGV[1], to)
if from == 'p' then redis.call('DECR', KEYS[2]) end
if to == 'p' then redis.call('INCR', KEYS[2]) end
if from == 'f' then redis.call('SREM', KEYS[3], ARGV[1]) end
if to == 'f' then redis.call('SADD', KEYS[3], ARGV[1]) end
if to ~= 'p' and tonumber(redis.call('GET', KEYS[2]) or '0') <= 0 and redis.call('HGET', KEYS[4], 'sealed') == '1' then
  if redis.call('HSETNX', KEYS[4], 'finishedAt', ARGV[3]) == 1 then return 2 end
end
if to == 'p' then redis.call('HDEL', KEYS[4], 'finishedAt') end
return 1
