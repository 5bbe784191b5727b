--[[
  How long until a host's politeness slot opens, without taking it (HostLimiter.peek).

  KEYS[1] polite:<host>   the time (ms since the epoch, Redis's clock) the host's next slot opens
  ARGV    none

  Returns the ms until the slot opens on Redis's clock: 0 when it is free now. Reads only.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextAt <= now then return 0 end
return nextAt - now
