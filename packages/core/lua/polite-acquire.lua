--[[
  Takes a host's politeness slot if it is free now (HostLimiter.acquire).

  KEYS[1] polite:<host>   the time (ms since the epoch, Redis's clock) the host's next slot opens
  ARGV[1] intervalMs      the gap between two requests to the host

  Returns {1, now} when the slot was taken (the next one then opens an interval later), otherwise
  {0, ms until it opens}. Times are Redis's clock (TIME), so fetchers on machines with skewed clocks
  agree. Taken at the moment of the request, so a request that was delayed never crowds the next.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nextAt then return {0, nextAt - now} end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(now + interval), 'PX', interval + 60000)
return {1, now}
