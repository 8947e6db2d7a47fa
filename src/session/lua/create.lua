-- ARGV: base, handle, token hash, user, ukey, kind, created, seen, idle,
-- abs, label, data, now, cap (0: none), evict ('1') or refuse.
-- Returns {'1', evicted records...} or {'0'} (refused at the cap).
local h, tok, ukey = ARGV[2], ARGV[3], ARGV[5]
local now, cap, evict = tonumber(ARGV[13]), tonumber(ARGV[14]), ARGV[15] == '1'
local ukeyname = base .. 'u:' .. ukey
local out = {'1'}
if cap > 0 then
  local live = {}
  for _, m in ipairs(redis.call('SMEMBERS', ukeyname)) do
    local rec = record(m)
    if rec and not expired(rec, now) then
      live[#live + 1] = {tonumber(rec[5]), m, rec}
    else
      remove(m)
      redis.call('SREM', ukeyname, m)
    end
  end
  if #live >= cap then
    if not evict then return {'0'} end
    table.sort(live, function(a, b)
      if a[1] ~= b[1] then return a[1] < b[1] end
      return a[2] < b[2]
    end)
    for i = 1, #live - cap + 1 do
      append(out, live[i][3])
      remove(live[i][2])
    end
  end
end
local abs = tonumber(ARGV[10])
local ttl = math.min(tonumber(ARGV[9]), abs) - now
if ttl <= 0 then return out end
redis.call('HSET', skey(h), 'tok', tok, 'user', ARGV[4], 'ukey', ukey, 'kind', ARGV[6],
  'created', ARGV[7], 'seen', ARGV[8], 'idle', ARGV[9], 'abs', ARGV[10], 'label', ARGV[11], 'data', ARGV[12])
ttl = string.format('%d', ttl)
redis.call('PEXPIRE', skey(h), ttl)
redis.call('SET', base .. 't:' .. tok, h, 'PX', ttl)
redis.call('SADD', ukeyname, h)
if redis.call('PTTL', ukeyname) < abs - now then
  redis.call('PEXPIRE', ukeyname, string.format('%d', abs - now))
end
return out
