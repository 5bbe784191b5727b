--[[
  Reads the change feed after a cursor (ChangeFeed.read).

  KEYS[1] {feed}:entries  the stream
  KEYS[2] {feed}:meta     hash: 'epoch' (the feed's generation), 'trimmed' (the id of the last
                          entry trimmed away)

  ARGV[1]   the cursor's epoch ('' : from the beginning, whatever the epoch)
  ARGV[2]   the stream id to read after ('0-0' from the beginning)
  ARGV[3]   at most this many entries

  Returns {status, epoch, entries}; epoch is the feed's ('' before the first append); entries are
  XRANGE's (only when status is 'ok'). status is
  - 'ok';
  - 'expired': the cursor is of another epoch (the feed was lost with Redis since, or the cursor is
    of another installation), or entries after it were trimmed: reading on would skip changes;
  - 'ahead': the cursor is past the feed's last entry (this feed never gave it out).
]]
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function before(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end

local epoch = redis.call('HGET', KEYS[2], 'epoch') or ''
local after = ARGV[2]
if ARGV[1] ~= '' and ARGV[1] ~= epoch then return {'expired', epoch, {}} end
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #newest == 0 then
  if after == '0-0' then return {'ok', epoch, {}} end
  return {'expired', epoch, {}}
end
if before(newest[1][1], after) then return {'ahead', epoch, {}} end
if before(after, redis.call('HGET', KEYS[2], 'trimmed') or '0-0') then return {'expired', epoch, {}} end
return {'ok', epoch, redis.call('XRANGE', KEYS[1], '(' .. after, '+', 'COUNT', ARGV[3])}
