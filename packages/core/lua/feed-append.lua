--[[
  Appends changes to the change feed, each only when it is newer than the last change appended
  for its paper, then trims the feed to its length (ChangeFeed.append).

  KEYS[1] {feed}:entries  stream; ids given by Redis (its clock in ms, then a sequence); fields:
                          'id' (paper id), 'op', 'v' (external version), 'r' (reason, only when
                          there is one)
  KEYS[2] {feed}:versions hash: paper id → external version of its last appended change
  KEYS[3] {feed}:meta     hash: 'epoch' (the feed's generation: Redis time in µs when the stream
                          was created), 'trimmed' (the id of the last entry trimmed away)

  ARGV[1]   the most entries kept; the oldest are trimmed once there are 100 more
  then per change, four items: paper id, op, external version, reason ('' for none)

  A change whose version is not above its paper's last appended one is dropped: Elasticsearch
  refused or replaced that write already (external versions), and a newer change of the paper is
  in the feed. So within one paper, entries come in growing versions, and the last is the newest.
  Stream ids only grow, so nothing is ever added behind a cursor a reader has passed (after a
  failover too: new ids follow the clock, past any id the lost primary gave out). Trimming is
  exact and records the last id it removed, so a reader can be told precisely whether entries
  after its cursor are gone.

  Returns the number of changes appended.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- A new stream (the first append, or the feed was lost): a new epoch, so old cursors expire.
  local t = redis.call('TIME')
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[3], 'epoch', string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2])))
end
local appended = 0
for i = 2, #ARGV, 4 do
  local id, op, version, reason = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local last = redis.call('HGET', KEYS[2], id)
  if not last or tonumber(version) > tonumber(last) then
    redis.call('HSET', KEYS[2], id, version)
    if reason == '' then
      redis.call('XADD', KEYS[1], '*', 'id', id, 'op', op, 'v', version)
    else
      redis.call('XADD', KEYS[1], '*', 'id', id, 'op', op, 'v', version, 'r', reason)
    end
    appended = appended + 1
  end
end

local max = tonumber(ARGV[1])
local len = redis.call('XLEN', KEYS[1])
if len > max + 100 then
  local gone = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', len - max)
  redis.call('XTRIM', KEYS[1], 'MAXLEN', max)
  redis.call('HSET', KEYS[3], 'trimmed', gone[#gone][1])
end
return appended
