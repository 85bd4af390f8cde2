/**
 * Lua run with EVAL: Redis executes a script atomically, with no other
 * command in between (https://redis.io/docs/latest/develop/interactive-programmability/eval-intro/).
 * Each reads and writes only the keys it is given, so ioredis's keyPrefix applies.
 */

/**
 * Fixed-window counter. KEYS[1] the counter, ARGV[1] the window in ms, ARGV[2]
 * the amount to add. A missing counter, or one without an expiry, starts a
 * window at the amount; otherwise INCRBY keeps the window's end. Returns
 * { count, ms until the window resets }.
 */
export const INCREMENT_IN_WINDOW_LUA = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
  return { tonumber(ARGV[2]), tonumber(ARGV[1]) }
end
return { redis.call('INCRBY', KEYS[1], ARGV[2]), ttl }
`;

/**
 * Set member with a TTL that is extended, never shortened. KEYS[1] the set,
 * ARGV[1] the member, ARGV[2] the TTL in ms or '' for "keep until deleted"
 * (the longest lifetime, so it makes the set persistent). PEXPIRE's GT flag
 * cannot be used alone: it treats a new key (no TTL yet) as already longest.
 * Returns the number of members after the add (SCARD).
 */
export const ADD_TO_SET_LUA = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
if ARGV[2] == '' then
  redis.call('PERSIST', KEYS[1])
  return redis.call('SCARD', KEYS[1])
end
local ttl = tonumber(ARGV[2])
local current = redis.call('PTTL', KEYS[1])
if existed == 0 or (current >= 0 and current < ttl) then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return redis.call('SCARD', KEYS[1])
`;

/**
 * Compare-and-set. KEYS[1] the value, ARGV[1] the value it must still hold,
 * ARGV[2] the new value, ARGV[3] its TTL in ms or '' for "keep until deleted".
 * GET answers false for a missing (or expired) key, which equals no string.
 * Returns 1 when written, 0 when the key held anything else.
 */
export const COMPARE_AND_SET_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if ARGV[3] == '' then
  redis.call('SET', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
`;
