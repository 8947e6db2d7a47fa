-- seckit rate limiting: the GCRA of src/ratelimit/gcra.rs, step for step,
-- on Redis's clock. One call is one decision for one key (KEYS[1], a hash:
-- t = TAT, v = violations TAT, u = banned until, l = ban level,
-- lu = level forgotten at, g = known good until; microseconds).
-- ARGV: op (0 hit, 1 peek, 2 reset), T, tau, ban (0 none, 1 after
-- violations, 2 on exhaustion), vT, vtau, base, max, forget, good_for.
-- Returns {allowed, banned, remaining, retry_after, reset_after, good}.
local key = KEYS[1]
local op = tonumber(ARGV[1])
local t = tonumber(ARGV[2])
local tau = tonumber(ARGV[3])
local ban = tonumber(ARGV[4])
local vt = tonumber(ARGV[5])
local vtau = tonumber(ARGV[6])
local base = tonumber(ARGV[7])
local max = tonumber(ARGV[8])
local forget = tonumber(ARGV[9])
local good_for = tonumber(ARGV[10])

local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])

local f = redis.call('HMGET', key, 't', 'v', 'u', 'l', 'lu', 'g')
local r_tat = tonumber(f[1]) or 0
local r_vtat = tonumber(f[2]) or 0
local r_until = tonumber(f[3]) or 0
local r_level = tonumber(f[4]) or 0
local r_lu = tonumber(f[5]) or 0
local r_good = tonumber(f[6]) or 0

local good = 0
if r_good > now then good = 1 end
local level = 0
if r_lu > now then level = r_level end

local function save()
  local keep = math.max(r_tat, r_vtat, r_until, r_lu, r_good) - now
  if keep <= 0 then
    redis.call('DEL', key)
    return
  end
  redis.call('HSET', key,
    't', string.format('%d', r_tat), 'v', string.format('%d', r_vtat),
    'u', string.format('%d', r_until), 'l', string.format('%d', r_level),
    'lu', string.format('%d', r_lu), 'g', string.format('%d', r_good))
  redis.call('PEXPIRE', key, math.ceil(keep / 1000))
end

local function burst_remaining(tat)
  return math.floor(math.max(now + tau + t - tat, 0) / t)
end

if op == 2 then
  if good_for > 0 then r_good = math.max(r_good, now + good_for) end
  r_tat, r_vtat, r_until, r_level, r_lu = 0, 0, 0, 0, 0
  save()
  local g = 0
  if r_good > now then g = 1 end
  return {1, 0, burst_remaining(now), 0, 0, g}
end

if r_until > now then
  return {0, 1, 0, r_until - now, math.max(r_until, r_tat) - now, good}
end

local tat = math.max(r_tat, now)
local conforms = tat <= now + tau
local lock_only = (ban == 2)

local function denied()
  return {0, 0, 0, math.max(tat - tau - now, 0), tat - now, good}
end

local function impose(out)
  local duration = math.min(base * math.pow(2, math.min(level, 32)), max)
  r_until = now + duration
  r_level = level + 1
  r_lu = now + duration + forget
  out[2] = 1
  out[3] = 0
  out[4] = duration
  out[5] = math.max(out[5], duration)
  return out
end

if op == 1 then
  if conforms or lock_only then
    return {1, 0, burst_remaining(tat), 0, tat - now, good}
  end
  return denied()
end

if not conforms then
  local out = denied()
  if ban ~= 0 then
    local struck = lock_only
    if not struck then
      local vtat = math.max(r_vtat, now)
      if vtat > now + vtau then
        struck = true
      else
        r_vtat = vtat + vt
        struck = math.floor((now + vtau - vtat) / vt) == 0
      end
    end
    if struck then out = impose(out) end
    save()
  end
  return out
end

local new_tat = tat + t
r_tat = new_tat
local remaining = math.floor((now + tau - tat) / t)
local out = {1, 0, remaining, 0, new_tat - now, good}
if lock_only and remaining == 0 then out = impose(out) end
save()
return out
