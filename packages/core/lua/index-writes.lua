--[[
  Counts the documents written to one index by every indexer process, and answers the index's
  write rate and how long ago anyone last wrote (IndexWrites). Redis's clock times every write, so
  processes on machines whose clocks differ count on one clock.

  KEYS[1]  index-writes:<index>   hash: '<unix second>' → documents written in that second;
                                  'last' → the time of the last write (ms);
                                  'since' → the second after which writes count (restart)
  ARGV[1]  documents just written (0: only read; -1: count afresh from the next second on, as
           after a backfill ended: what came before says nothing about the traffic that follows)
  ARGV[2]  the window, in whole seconds

  Seconds older than the window are dropped on every call, so the hash holds at most the window's
  seconds; it expires a minute after the last call.

  Returns { documents per second over the window, ms since the last write ('-1': none) }, as
  strings: the window ends now and begins ARGV[2] whole seconds before the current second.
]]
local t = redis.call('TIME')
local second = tonumber(t[1])
local now = second * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if n > 0 then
  redis.call('HINCRBY', KEYS[1], tostring(second), n)
  redis.call('HSET', KEYS[1], 'last', tostring(now))
end
if n < 0 then redis.call('HSET', KEYS[1], 'since', tostring(second)) end
local since = tonumber(redis.call('HGET', KEYS[1], 'since') or '-1')
local sum = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if field ~= 'last' and field ~= 'since' then
    if tonumber(field) < second - window then
      redis.call('HDEL', KEYS[1], field)
    elseif tonumber(field) > since then
      sum = sum + tonumber(redis.call('HGET', KEYS[1], field))
    end
  end
end
redis.call('EXPIRE', KEYS[1], 60)
local last = redis.call('HGET', KEYS[1], 'last')
local elapsed = window * 1000 + (now % 1000)
return { tostring(sum * 1000 / elapsed), last and tostring(now - tonumber(last)) or '-1' }
