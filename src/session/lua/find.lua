-- ARGV: base, token hash. Returns {'1', record} (current token),
-- {'2', handle} (a retired refresh token) or {'0'}.
local h = redis.call('GET', base .. 't:' .. ARGV[2])
if h then
  local rec = record(h)
  if rec and rec[2] == ARGV[2] then return append({'1'}, rec) end
  return {'0'}
end
local r = redis.call('GET', base .. 'r:' .. ARGV[2])
if r then
  local sep = string.find(r, '|', 1, true)
  return {'2', string.sub(r, 1, sep - 1)}
end
return {'0'}
