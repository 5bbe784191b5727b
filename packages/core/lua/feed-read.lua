--[[
  Reads the change feed after a cursor (ChangeFeed.read).

  KEYS[1] feed entries    the stream (entry ids '<n>-0', n counting entries from 1)
  KEYS[2] feed epoch      the feed's generation

  ARGV[1]   the cursor's epoch ('' : from the beginning, whatever the epoch)
  ARGV[2]   the number of the last entry read (0 from the beginning)
  ARGV[3]   at most this many entries

  Returns {status, epoch, entries}; epoch is the feed's ('' before the first append); entries are
  XRANGE's (only when status is 'ok'). status is
  - 'ok';
  - 'expired': the cursor is of another epoch (the feed was lost with Redis since, or the cursor is
    of another installation), or the entry right after it was trimmed: reading on would skip;
  - 'ahead': the cursor is past the feed's last entry (this feed never gave it out).
]]
local epoch = redis.call('GET', KEYS[2]) or ''
local after = tonumber(ARGV[2])
if ARGV[1] ~= '' and ARGV[1] ~= epoch then return {'expired', epoch, {}} end

local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #first == 0 then
  if after == 0 then return {'ok', epoch, {}} end
  return {'expired', epoch, {}}
end
local oldest = tonumber(string.match(first[1][1], '^(%d+)'))
local newest = tonumber(string.match(redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1][1], '^(%d+)'))
if after > newest then return {'ahead', epoch, {}} end
if after < oldest - 1 then return {'expired', epoch, {}} end
return {'ok', epoch, redis.call('XRANGE', KEYS[1], string.format('%.0f-0', after + 1), '+', 'COUNT', ARGV[3])}
