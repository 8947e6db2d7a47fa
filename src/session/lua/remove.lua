-- ARGV: base, handle. Returns 1 if the session existed.
if redis.call('EXISTS', skey(ARGV[2])) == 0 then return 0 end
remove(ARGV[2])
return 1
