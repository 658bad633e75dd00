/**
 * Lua scripts of RedisPresenceTracker. Each runs atomically in Redis, so two
 * instances deciding about one user never interleave; time comes from Redis's
 * clock so instances with skewed clocks agree on deadlines and versions.
 *
 * Keys under the prefix (ARGV[1]):
 * - presence:instances        ZSET instance → heartbeat deadline (ms)
 * - presence:instance:<id>    SET of users with a socket on that instance
 * - presence:user:<id>        ZSET instance → heartbeat deadline, per user
 * - presence:online           SET of users announced online
 * - presence:pending          ZSET user → when to check whether they went offline
 * - presence:versions         HASH user → last transition version (µs)
 */
const PRELUDE = `
local p = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local instances = p .. 'presence:instances'
local online = p .. 'presence:online'
local pending = p .. 'presence:pending'
local versions = p .. 'presence:versions'
local function userKey(u) return p .. 'presence:user:' .. u end
local function instanceKey(i) return p .. 'presence:instance:' .. i end
local function version(u)
  local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('HGET', versions, u) or '0')
  if v <= last then v = last + 1 end
  local s = string.format('%.0f', v)
  redis.call('HSET', versions, u, s)
  return s
end
local function hasLiveSocket(u)
  redis.call('ZREMRANGEBYSCORE', userKey(u), '-inf', now)
  return redis.call('ZCARD', userKey(u)) > 0
end
-- Appends user and version to out when u has no live socket left and was announced online.
local function wentOffline(u, out)
  if not hasLiveSocket(u) and redis.call('SREM', online, u) == 1 then
    table.insert(out, u)
    table.insert(out, version(u))
  end
end
`;

/** ARGV: prefix, instance, ttlMs, user → the version when the user just came online, else nil. */
export const CONNECT_SCRIPT = `${PRELUDE}
local inst, ttl, u = ARGV[2], tonumber(ARGV[3]), ARGV[4]
redis.call('ZADD', userKey(u), now + ttl, inst)
redis.call('SADD', instanceKey(inst), u)
redis.call('ZADD', instances, now + ttl, inst)
redis.call('ZREM', pending, u)
if redis.call('SADD', online, u) == 1 then return version(u) end
return false
`;

/** ARGV: prefix, instance, graceMs, user. */
export const DISCONNECT_SCRIPT = `${PRELUDE}
local inst, grace, u = ARGV[2], tonumber(ARGV[3]), ARGV[4]
redis.call('ZREM', userKey(u), inst)
redis.call('SREM', instanceKey(inst), u)
if not hasLiveSocket(u) and redis.call('SISMEMBER', online, u) == 1 then
  redis.call('ZADD', pending, now + grace, u)
end
return 0
`;

/**
 * ARGV: prefix, instance, ttlMs, graceMs, users... (every user with a socket on
 * this instance). Brings Redis to exactly that list → [user, version, ...] of
 * users it announced online (they were lost in an outage or a flush).
 */
export const HEARTBEAT_SCRIPT = `${PRELUDE}
local inst, ttl, grace = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZADD', instances, now + ttl, inst)
local here = {}
for i = 5, #ARGV do here[ARGV[i]] = true end
for _, u in ipairs(redis.call('SMEMBERS', instanceKey(inst))) do
  if not here[u] then
    redis.call('SREM', instanceKey(inst), u)
    redis.call('ZREM', userKey(u), inst)
    redis.call('ZADD', pending, 'NX', now + grace, u)
  end
end
local out = {}
for i = 5, #ARGV do
  local u = ARGV[i]
  redis.call('ZADD', userKey(u), now + ttl, inst)
  redis.call('SADD', instanceKey(inst), u)
  if redis.call('SADD', online, u) == 1 then
    table.insert(out, u)
    table.insert(out, version(u))
  end
end
return out
`;

/**
 * ARGV: prefix → [user, version, ...] of users who went offline: their grace
 * period ran out with no socket anywhere, or their instance stopped heart-beating.
 * Whoever runs it first reports a user; nobody reports them twice.
 */
export const SWEEP_SCRIPT = `${PRELUDE}
for _, d in ipairs(redis.call('ZRANGEBYSCORE', instances, '-inf', now, 'LIMIT', 0, 10)) do
  redis.call('ZREM', instances, d)
  for _, u in ipairs(redis.call('SMEMBERS', instanceKey(d))) do
    redis.call('ZREM', userKey(u), d)
    redis.call('ZADD', pending, now, u)
  end
  redis.call('DEL', instanceKey(d))
end
local out = {}
for _, u in ipairs(redis.call('ZRANGEBYSCORE', pending, '-inf', now, 'LIMIT', 0, 1000)) do
  redis.call('ZREM', pending, u)
  wentOffline(u, out)
end
return out
`;

/**
 * ARGV: prefix, instance, graceMs. The instance leaves: its users are pending
 * (offline after the grace period unless they reconnect elsewhere). When no other
 * instance is alive to sweep them later, everyone pending goes offline now →
 * [user, version, ...].
 */
export const LEAVE_SCRIPT = `${PRELUDE}
local inst, grace = ARGV[2], tonumber(ARGV[3])
redis.call('ZREM', instances, inst)
local others = redis.call('ZCOUNT', instances, now, '+inf')
for _, u in ipairs(redis.call('SMEMBERS', instanceKey(inst))) do
  redis.call('ZREM', userKey(u), inst)
  if not hasLiveSocket(u) and redis.call('SISMEMBER', online, u) == 1 then
    redis.call('ZADD', pending, now + grace, u)
  end
end
redis.call('DEL', instanceKey(inst))
local out = {}
if others == 0 then
  for _, u in ipairs(redis.call('ZRANGE', pending, 0, -1)) do
    redis.call('ZREM', pending, u)
    wentOffline(u, out)
  end
end
return out
`;

/** ARGV: prefix → a version (µs from Redis's clock) for a transition decided outside these scripts. */
export const VERSION_SCRIPT = `${PRELUDE}
return string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
`;
