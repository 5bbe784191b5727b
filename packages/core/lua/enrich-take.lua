--[[
  Takes a crawl's next enrichment batch when an export-API request may go out now
  (EnrichmentQueue.take). One job per crawl keeps the crawl (its keeper); one batch is in flight
  at a time, across every crawl and process.

  KEYS[1] {enrich}:pending:<crawl>  sorted set: the crawl's waiting arXiv ids, oldest first
  KEYS[2] {enrich}:keeper:<crawl>   the enrichment job that will take the crawl's next batch
  KEYS[3] {enrich}:inflight         the job whose batch is the request in flight
  KEYS[4] {enrich}:taken:<job>      hash: crawl, ids (comma-separated), more ('1': ids were left)

  ARGV[1] job           this enrichment job's id
  ARGV[2] crawl         its crawl
  ARGV[3] goneKeeper    a keeper the caller found gone (failed, or no such job), replaced; '' none
  ARGV[4] settled       the in-flight job the caller found settled (its request is done); '' none
  ARGV[5] slotWaitMs    ms until the export API host's politeness slot opens (0: free now)
  ARGV[6] batchSize     the most ids one request carries
  ARGV[7] successor     the job that keeps the crawl when this one leaves ids behind
  ARGV[8] keepSeconds   how long the taken record is kept (a failed job may be retried that late)
  ARGV[9] markSeconds   how long the keeper and in-flight marks outlive their last write

  Returns what this job is to do:
    {'taken', ids, more}  hand these ids to one fetch job and, when more is '1', add the
                          successor; a job that took a batch before (a re-run after a crash)
                          gets the same batch again, whatever else changed
    {'keeper', job}       nothing: that job keeps the crawl and will take its next batch
    {'empty'}             nothing: no id of the crawl waits
    {'in-flight', job}    wait: that job's request is not done
    {'slot'}              wait: the slot is not free
]]
local job = ARGV[1]
local taken = redis.call('HMGET', KEYS[4], 'ids', 'more')
if taken[1] then return {'taken', taken[1], taken[2]} end

local keeper = redis.call('GET', KEYS[2])
if keeper and keeper ~= job and keeper ~= ARGV[3] then return {'keeper', keeper} end
if redis.call('ZCARD', KEYS[1]) == 0 then
  if keeper then redis.call('DEL', KEYS[2]) end
  return {'empty'}
end
local markSeconds = tonumber(ARGV[9])
redis.call('SET', KEYS[2], job, 'EX', markSeconds)

local inflight = redis.call('GET', KEYS[3])
if inflight and inflight ~= ARGV[4] then return {'in-flight', inflight} end
if tonumber(ARGV[5]) > 0 then return {'slot'} end

local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[6]) - 1)
redis.call('ZREM', KEYS[1], unpack(ids))
local more = '0'
if redis.call('ZCARD', KEYS[1]) > 0 then more = '1' end
local list = table.concat(ids, ',')
redis.call('HSET', KEYS[4], 'crawl', ARGV[2], 'ids', list, 'more', more)
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[8]))
redis.call('SET', KEYS[3], job, 'EX', markSeconds)
if more == '1' then
  redis.call('SET', KEYS[2], ARGV[7], 'EX', markSeconds)
else
  redis.call('DEL', KEYS[2])
end
return {'taken', list, more}
