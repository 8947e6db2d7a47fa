-- ARGV: base, presented hash, new hash, now, idle ms, retire ('1'), grace ms.
-- Returns {'1', record} (rotated), {'2', record} (reuse: family revoked),
-- {'3', record} (expired, removed) or {'0'} (unknown).
local p, n = ARGV[2], ARGV[3]
local now, idle, retire, grace = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1', tonumber(ARGV[7])
local function swap(h, rec)
  local abs = tonumber(rec[8])
  local newidle = math.min(now + idle, abs)
  redis.call('DEL', base .. 't:' .. rec[2])
  if retire then
    redis.call('SET', base .. 'r:' .. rec[2], h .. '|' .. ARGV[4], 'PX', string.format('%d', abs - now))
  end
  redis.call('HSET', skey(h), 'tok', n, 'seen', ARGV[4], 'idle', string.format('%d', newidle))
  local ttl = string.format('%d', newidle - now)
  redis.call('PEXPIRE', skey(h), ttl)
  redis.call('SET', base .. 't:' .. n, h, 'PX', ttl)
  return append({'1'}, record(h))
end
local h = redis.call('GET', base .. 't:' .. p)
if h then
  local rec = record(h)
  if not rec or rec[2] ~= p then return {'0'} end
  if expired(rec, now) then remove(h) return append({'3'}, rec) end
  return swap(h, rec)
end
local r = redis.call('GET', base .. 'r:' .. p)
if not r then return {'0'} end
local sep = string.find(r, '|', 1, true)
h = string.sub(r, 1, sep - 1)
local at = tonumber(string.sub(r, sep + 1))
local rec = record(h)
if not rec then return {'0'} end
if expired(rec, now) then remove(h) return append({'3'}, rec) end
if grace > 0 and now - at <= grace then return swap(h, rec) end
remove(h)
return append({'2'}, rec)
