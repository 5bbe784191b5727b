--[[
  Pushes a host's next politeness slot out, e.g. after a 429 with Retry-After (HostLimiter.pushBack).

  KEYS[1] polite:<host>   the time (ms since the epoch, Redis's clock) the host's next slot opens
  ARGV[1] delayMs         how far from now, on Redis's clock, the slot should open at the earliest

  A slot is only ever pushed out, never brought forward. Returns the slot's time after the call.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay = tonumber(ARGV[1])
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + delay <= nextAt then return nextAt end
redis.call('SET', KEYS[1], tostring(now + delay), 'PX', delay + 60000)
return now + delay
