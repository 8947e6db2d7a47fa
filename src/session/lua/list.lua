-- ARGV: base, ukey, now. Returns the user's unexpired records, flat.
local ukeyname = base .. 'u:' .. ARGV[2]
local now = tonumber(ARGV[3])
local out = {}
for _, m in ipairs(redis.call('SMEMBERS', ukeyname)) do
  local rec = record(m)
  if not rec then
    redis.call('SREM', ukeyname, m)
  elseif not expired(rec, now) then
    append(out, rec)
  end
end
return out
