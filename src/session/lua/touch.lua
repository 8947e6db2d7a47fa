-- ARGV: base, handle, token hash, now (last seen), new idle deadline.
local s = skey(ARGV[2])
if redis.call('HGET', s, 'tok') ~= ARGV[3] then return 0 end
local abs = tonumber(redis.call('HGET', s, 'abs'))
local ttl = math.min(tonumber(ARGV[5]), abs) - tonumber(ARGV[4])
if ttl <= 0 then remove(ARGV[2]) return 0 end
redis.call('HSET', s, 'seen', ARGV[4], 'idle', ARGV[5])
ttl = string.format('%d', ttl)
redis.call('PEXPIRE', s, ttl)
redis.call('PEXPIRE', base .. 't:' .. ARGV[3], ttl)
return 1
