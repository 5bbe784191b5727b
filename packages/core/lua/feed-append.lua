--[[
  Appends changes to the change feed, each only when it is newer than the last change appended
  for its paper (ChangeFeed.append).

  KEYS[1] feed entries    stream; entry ids are '<n>-0', n counting entries from 1; fields:
                          'id' (paper id), 'op', 'v' (external version), 't' (Redis time, ms),
                          'r' (reason, only when there is one)
  KEYS[2] feed versions   hash: paper id → external version of its last appended change
  KEYS[3] feed epoch      string: the feed's generation (Redis time in µs when the stream was
                          created), new whenever the stream is created

  ARGV[1]   the stream's approximate maximum length (XADD MAXLEN ~)
  then per change, four items: paper id, op, external version, reason ('' for none)

  A change whose version is not above its paper's last appended one is dropped: Elasticsearch
  refused or replaced that write already (external versions), and a newer change of the paper is
  in the feed. So within one paper, entries come in growing versions, and the last is the newest.
  Entries are numbered in the order this script appends them, so nothing is ever added behind a
  cursor a reader has passed.

  Returns the number of changes appended.
]]
local n = 0
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #top > 0 then
  n = tonumber(string.match(top[1][1], '^(%d+)'))
end
local t = redis.call('TIME')
if n == 0 then
  -- A new stream (the first append, or the feed was lost): a new epoch, so old cursors expire.
  redis.call('SET', KEYS[3], string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2])))
end
local ms = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local max = ARGV[1]
local appended = 0
for i = 2, #ARGV, 4 do
  local id, op, version, reason = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local last = redis.call('HGET', KEYS[2], id)
  if not last or tonumber(version) > tonumber(last) then
    redis.call('HSET', KEYS[2], id, version)
    n = n + 1
    local entry = {'id', id, 'op', op, 'v', version, 't', ms}
    if reason ~= '' then
      entry[#entry + 1] = 'r'
      entry[#entry + 1] = reason
    end
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', max, string.format('%.0f-0', n), unpack(entry))
    appended = appended + 1
  end
end
return appended
