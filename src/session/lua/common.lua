-- Shared by every session script. ARGV[1] is the key base
-- ("prefix:session:v1:"); the keys under it:
--   s:<handle>  hash: tok user ukey kind created seen idle abs label data
--   t:<hash>    the handle whose current token hashes to <hash>
--   r:<hash>    "<handle>|<retired at>": a refresh token rotated away
--   u:<ukey>    set of the user's handles
-- Every key expires: s: and t: at the session's deadline, r: and u: at the
-- absolute deadline. Keys are derived from ARGV, so this store needs one
-- Redis, not a cluster.
local base = ARGV[1]
local function skey(h) return base .. 's:' .. h end
local function record(h)
  local f = redis.call('HMGET', skey(h), 'tok', 'user', 'kind', 'created', 'seen', 'idle', 'abs', 'label', 'data')
  if not f[1] then return nil end
  return {h, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]}
end
local function append(out, rec)
  for i = 1, #rec do out[#out + 1] = rec[i] end
  return out
end
local function remove(h)
  local f = redis.call('HMGET', skey(h), 'tok', 'ukey')
  if f[1] then redis.call('DEL', base .. 't:' .. f[1]) end
  if f[2] then redis.call('SREM', base .. 'u:' .. f[2], h) end
  return redis.call('DEL', skey(h))
end
-- rec: handle tok user kind created seen idle abs label data
local function expired(rec, now)
  return tonumber(rec[7]) <= now or tonumber(rec[8]) <= now
end
