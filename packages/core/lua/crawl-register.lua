--[[
  Registers jobs of a crawl as pending, before they are added to a queue (CrawlStore.register).

  KEYS[1] crawl:{<id>}:jobs hash: job id -> 'p' (pending), 'd' (done) or 'f' (failed)
  KEYS[2] crawl:{<id>}:open the number of pending jobs

  ARGV[1..n] job ids

  Returns the ids to add to the queue: new ones, and ones still pending (registered before a
  crash, maybe never added). Jobs already done or failed are not added again, so each URL is
  fetched once per crawl.
]]
local added = 0
local out = {}
for i = 1, #ARGV do
  if redis.call('HSETNX', KEYS[1], ARGV[i], 'p') == 1 then
    added = added + 1
    out[#out + 1] = ARGV[i]
  elseif redis.call('HGET', KEYS[1], ARGV[i]) == 'p' then
    out[#out + 1] = ARGV[i]
  end
end
if added > 0 then redis.call('INCRBY', KEYS[2], added) end
return out
