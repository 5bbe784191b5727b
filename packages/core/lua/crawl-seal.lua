--[[
  Seals a crawl once all its seeds are registered: from then on, no pending job means finished
  (CrawlStore.seal).

  KEYS[1] crawl:{<id>}:meta hash: 'sealed', 'finishedAt', …
  KEYS[2] crawl:{<id>}:open the number of pending jobs

  ARGV[1] now, as an ISO 8601 time (the crawl's finishedAt if nothing is pending)

  Returns 2 when sealing finished the crawl (nothing was pending), else 1.
]]
redis.call('HSET', KEYS[1], 'sealed', '1')
if tonumber(redis.call('GET', KEYS[2]) or '0') <= 0 then
  return redis.call('HSETNX', KEYS[1], 'finishedAt', ARGV[1]) + 1
end
return 1
