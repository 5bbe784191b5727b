--[[
  Forgets the content hash written for papers whose index write failed, so that their next
  sighting writes them again (PaperCache.forgetWrittenHash).

  KEYS[1..n] paper:<id>   the dedup cache entries of those papers (on Redis Cluster, of one slot:
                          the caller groups them)

  No ARGV.

  Drops 'hash' and 'hashJob' and bumps 'rev', so that a merge that read the old hash before this
  loses its compare-and-set and reads again. Absent entries stay absent. Returns 1.
]]
for _, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then
    redis.call('HDEL', k, 'hash', 'hashJob')
    redis.call('HINCRBY', k, 'rev', 1)
  end
end
return 1
