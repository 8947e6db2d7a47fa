-- ARGV: base, handle, data. Returns 1 if the session existed.
if redis.call('EXISTS', skey(ARGV[2])) == 0 then return 0 end
redis.call('HSET', skey(ARGV[2]), 'data', ARGV[3])
return 1
