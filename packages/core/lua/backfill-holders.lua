--[[
  Processes that hold a lease while something is true of them: the indexers that want one index
  refreshed at the backfill interval (BackfillHolders; the index belongs at the backfill interval
  while any lease is live), and the indexers writing to it now (IndexWriters). Each holder renews
  its lease; one that died without releasing it drops out when the lease runs out. Redis's clock
  times every lease, so processes on machines whose clocks differ agree.

  KEYS[1]  backfill-holders:<index> or index-writers:<index>
           sorted set: holder id -> lease expiry (ms, Redis's clock)
  ARGV[1]  'hold' (take or renew a lease) or 'release'
  ARGV[2]  the holder's id
  ARGV[3]  the lease's length in ms ('hold')

  Returns the number of live leases after the call. The key expires with the lease that runs out
  last.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[1] == 'hold' then
  local lease = tonumber(ARGV[3])
  redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[1], tonumber(last[2]))
elseif ARGV[1] == 'release' then
  redis.call('ZREM', KEYS[1], ARGV[2])
end
return redis.call('ZCARD', KEYS[1])
