-- ARGV: base, ukey. Removes every session of the user; returns how many.
local ukeyname = base .. 'u:' .. ARGV[2]
local n = 0
for _, m in ipairs(redis.call('SMEMBERS', ukeyname)) do
  n = n + remove(m)
end
redis.call('DEL', ukeyname)
return n
