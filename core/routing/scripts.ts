/**
 * The routing layer's Lua scripts. Each runs atomically in Redis, so every queue, load and assignment
 * change is a single step however many hub nodes run them at once. Key names are built by
 * `RoutingKeys` (routing.ts); scripts that reach keys they cannot know up front (an agent's hash, the
 * queue a conversation waits in) build them from the workspace base `ARGV[1]` with the same layout.
 *
 * Conventions: `g` is a queue id, the skill group id or `_` for the workspace's default queue.
 * Times are Redis' own clock (TIME), so hub nodes with skewed clocks still agree on FIFO order.
 */

const NOW = `
local function nowms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * KEYS: queue, queued (conv → g), pos (conv → last pushed position), active (global), pending.
 * ARGV: wsBase, ws, conv, g, maxQueueLength (-1: unlimited), queuedAt ms ('' = now).
 * Returns {1, position} queued (or already queued: original place kept), {0, 0} full,
 * {2, 0} the conversation is already being assigned (pending).
 */
export const ENQUEUE = `${NOW}
local wsBase, ws, conv, g = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local max = tonumber(ARGV[5])
local prev = redis.call('HGET', KEYS[2], conv)
if prev == g then
  local r = redis.call('ZRANK', KEYS[1], conv)
  if r then return {1, r + 1} end
end
if redis.call('HEXISTS', KEYS[5], conv) == 1 then return {2, 0} end
if max >= 0 and redis.call('ZCARD', KEYS[1]) >= max then return {0, 0} end
if prev and prev ~= g then
  local pq = wsBase .. ':q:' .. prev
  redis.call('ZREM', pq, conv)
  redis.call('HDEL', wsBase .. ':pos:' .. prev, conv)
  if redis.call('ZCARD', pq) == 0 then redis.call('SREM', KEYS[4], ws .. '|' .. prev) end
end
local score
if ARGV[6] ~= '' then
  score = tonumber(ARGV[6])
else
  score = nowms()
  -- Strict FIFO within one millisecond: never score below the current tail (1/1000 ms steps).
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if last[2] and tonumber(last[2]) >= score then score = tonumber(last[2]) + 0.001 end
end
redis.call('ZADD', KEYS[1], string.format('%.3f', score), conv)
redis.call('HSET', KEYS[2], conv, g)
redis.call('SADD', KEYS[4], ws .. '|' .. g)
local pos = redis.call('ZRANK', KEYS[1], conv) + 1
redis.call('HSET', KEYS[3], conv, pos)
return {1, pos}
`;

/** KEYS: queued, active. ARGV: wsBase, ws, conv. Returns 1 if it was waiting (now removed), 0 otherwise. */
export const DEQUEUE = `
local wsBase, ws, conv = ARGV[1], ARGV[2], ARGV[3]
local g = redis.call('HGET', KEYS[1], conv)
if not g then return 0 end
local q = wsBase .. ':q:' .. g
local removed = redis.call('ZREM', q, conv)
redis.call('HDEL', KEYS[1], conv)
redis.call('HDEL', wsBase .. ':pos:' .. g, conv)
if redis.call('ZCARD', q) == 0 then redis.call('SREM', KEYS[2], ws .. '|' .. g) end
return removed
`;

/** KEYS: queued. ARGV: wsBase, conv. Returns {g, position} or nil. */
export const POSITION = `
local g = redis.call('HGET', KEYS[1], ARGV[2])
if not g then return false end
local r = redis.call('ZRANK', ARGV[1] .. ':q:' .. g, ARGV[2])
if not r then return false end
return {g, r + 1}
`;

/**
 * Pops the oldest conversation of one queue and gives it to the least-loaded online agent of the
 * queue's group with a free slot (ties: longest idle, then lowest id). Records the assignment in the
 * workspace's pending hash and the global due index before returning.
 * KEYS: queue, queued, pos, members (agents of the group), pending, due (global), active (global).
 * ARGV: wsBase, ws, g. Returns {conv, record} or nil (queue empty or nobody free).
 */
export const ASSIGN = `${NOW}
local wsBase, ws, g = ARGV[1], ARGV[2], ARGV[3]
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
if #head == 0 then
  redis.call('SREM', KEYS[7], ws .. '|' .. g)
  return false
end
local best, bestLoad, bestIdle
local ids = redis.call('SMEMBERS', KEYS[4])
for i = 1, #ids do
  local id = ids[i]
  local a = redis.call('HMGET', wsBase .. ':agent:' .. id, 'status', 'capacity', 'load', 'idleSince')
  if a[1] == 'online' then
    local cap = tonumber(a[2]) or 0
    local load = tonumber(a[3]) or 0
    local idle = tonumber(a[4]) or 0
    if load < cap and (best == nil or load < bestLoad or (load == bestLoad and (idle < bestIdle or (idle == bestIdle and id < best)))) then
      best, bestLoad, bestIdle = id, load, idle
    end
  end
end
if best == nil then return false end
local conv = head[1]
redis.call('ZREM', KEYS[1], conv)
redis.call('HDEL', KEYS[2], conv)
redis.call('HDEL', KEYS[3], conv)
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[7], ws .. '|' .. g) end
local now = string.format('%d', nowms())
local akey = wsBase .. ':agent:' .. best
redis.call('HINCRBY', akey, 'load', 1)
redis.call('HINCRBY', akey, 'ver', 1)
redis.call('HSET', akey, 'idleSince', now)
local rec = cjson.encode({ agentId = best, group = g, at = now })
redis.call('HSET', KEYS[5], conv, rec)
redis.call('ZADD', KEYS[6], now, ws .. '|' .. conv)
return {conv, rec}
`;

/** Removes a pending assignment once delivered, only if it is still the same record. KEYS: pending, due. ARGV: conv, record, dueMember. */
export const ACK = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[3])
return 1
`;

/**
 * Claims pending assignments whose last delivery attempt is older than ageMs: their due time is moved
 * to now (a lease), so only one node retries each one per period.
 * KEYS: due. ARGV: routing base, ageMs, limit. Returns a flat list ws, conv, record, …
 */
export const CLAIM = `${NOW}
local now = nowms()
local ms = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]), 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i = 1, #ms do
  local m = ms[i]
  local sep = string.find(m, '|', 1, true)
  local ws, conv = string.sub(m, 1, sep - 1), string.sub(m, sep + 1)
  local rec = redis.call('HGET', ARGV[1] .. ':ws:' .. ws .. ':pending', conv)
  if rec then
    redis.call('ZADD', KEYS[1], string.format('%d', now), m)
    out[#out + 1] = ws
    out[#out + 1] = conv
    out[#out + 1] = rec
  else
    redis.call('ZREM', KEYS[1], m)
  end
end
return out
`;

/**
 * KEYS: agent, agents (workspace), workspaces (global). ARGV: wsBase, ws, agentId, status, capacity, groups (csv).
 * The load is kept; group membership follows the new list. Returns 1.
 */
export const SET_AGENT = `${NOW}
local wsBase, ws, id = ARGV[1], ARGV[2], ARGV[3]
local old = redis.call('HMGET', KEYS[1], 'status', 'groups')
local now = string.format('%d', nowms())
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'load', 0, 'ver', 0, 'idleSince', now)
elseif ARGV[4] == 'online' and old[1] ~= 'online' then
  redis.call('HSET', KEYS[1], 'idleSince', now)
end
local keep = {}
for g in string.gmatch(ARGV[6], '[^,]+') do
  keep[g] = true
  redis.call('SADD', wsBase .. ':members:' .. g, id)
end
if old[2] then
  for g in string.gmatch(old[2], '[^,]+') do
    if not keep[g] then redis.call('SREM', wsBase .. ':members:' .. g, id) end
  end
end
redis.call('HSET', KEYS[1], 'status', ARGV[4], 'capacity', ARGV[5], 'groups', ARGV[6])
redis.call('SADD', KEYS[2], id)
redis.call('SADD', KEYS[3], ws)
return 1
`;

/**
 * Frees one slot (never below 0). With a marker key (KEYS[2], ARGV[1] = its lifetime in ms), only the
 * first call with that key frees one: a retried release is a no-op. KEYS: agent, marker.
 * Returns {status, groups} or nil for an unknown agent.
 */
export const RELEASE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local fresh = ARGV[1] == '' or redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1])
local load = tonumber(redis.call('HGET', KEYS[1], 'load')) or 0
if fresh and load > 0 then
  redis.call('HINCRBY', KEYS[1], 'load', -1)
  redis.call('HINCRBY', KEYS[1], 'ver', 1)
end
local a = redis.call('HMGET', KEYS[1], 'status', 'groups')
return {a[1] or '', a[2] or ''}
`;

/**
 * Takes one slot of a given agent (transfer): only if online with a free slot and the conversation is
 * not in the middle of a queue assignment; a conversation still waiting in a queue leaves it.
 * KEYS: agent, queued, pending, active. ARGV: wsBase, ws, conv. Returns 1 or 0.
 */
export const ASSIGN_DIRECT = `${NOW}
local wsBase, ws, conv = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HEXISTS', KEYS[3], conv) == 1 then return 0 end
local a = redis.call('HMGET', KEYS[1], 'status', 'capacity', 'load')
if a[1] ~= 'online' then return 0 end
if (tonumber(a[3]) or 0) >= (tonumber(a[2]) or 0) then return 0 end
redis.call('HINCRBY', KEYS[1], 'load', 1)
redis.call('HINCRBY', KEYS[1], 'ver', 1)
redis.call('HSET', KEYS[1], 'idleSince', string.format('%d', nowms()))
local g = redis.call('HGET', KEYS[2], conv)
if g then
  local q = wsBase .. ':q:' .. g
  redis.call('ZREM', q, conv)
  redis.call('HDEL', KEYS[2], conv)
  redis.call('HDEL', wsBase .. ':pos:' .. g, conv)
  if redis.call('ZCARD', q) == 0 then redis.call('SREM', KEYS[4], ws .. '|' .. g) end
end
return 1
`;

/**
 * Positions of one queue that changed since the last push (by any node), under a short lock so at
 * most one node pushes per queue per tick. KEYS: queue, pos, lock. ARGV: lockMs.
 * Returns nil when another node holds the lock, else a flat list conv, position, …
 */
export const POSITIONS = `
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then return false end
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local flat = redis.call('HGETALL', KEYS[2])
local prev = {}
for i = 1, #flat, 2 do prev[flat[i]] = flat[i + 1] end
local out = {}
for i = 1, #ids do
  local id, p = ids[i], tostring(i)
  if prev[id] ~= p then
    redis.call('HSET', KEYS[2], id, p)
    out[#out + 1] = id
    out[#out + 1] = p
  end
  prev[id] = nil
end
for id in pairs(prev) do redis.call('HDEL', KEYS[2], id) end
return out
`;

/**
 * Reconcile, step 1: each agent's load version and the pending assignments, read in one step before
 * the database is read. KEYS: agents, pending. ARGV: wsBase. Returns {{id, ver, …}, {conv, agentId, …}}.
 */
export const SNAPSHOT = `
local ids = redis.call('SMEMBERS', KEYS[1])
local agents = {}
for i = 1, #ids do
  agents[#agents + 1] = ids[i]
  agents[#agents + 1] = redis.call('HGET', ARGV[1] .. ':agent:' .. ids[i], 'ver') or '0'
end
local flat = redis.call('HGETALL', KEYS[2])
local pending = {}
for i = 1, #flat, 2 do
  pending[#pending + 1] = flat[i]
  pending[#pending + 1] = cjson.decode(flat[i + 1]).agentId
end
return {agents, pending}
`;

/**
 * Reconcile, step 2 (per agent, compare-and-set on the load version read in step 1): sets the load
 * to what the database and pending assignments say. An agent unknown to Redis is restored from its
 * profile. KEYS: agent, agents, workspaces. ARGV: wsBase, ws, agentId, expectedVer ('' = was unknown),
 * load, hasProfile ('1'/'0'), status, capacity, groups (csv). Returns 1 done, 0 changed meanwhile.
 */
export const RECONCILE_AGENT = `${NOW}
local wsBase, ws, id = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[4] == '' or (redis.call('HGET', KEYS[1], 'ver') or '0') ~= ARGV[4] then return 0 end
  redis.call('HSET', KEYS[1], 'load', ARGV[5])
  redis.call('HINCRBY', KEYS[1], 'ver', 1)
  return 1
end
if ARGV[4] ~= '' then return 0 end
if ARGV[6] ~= '1' and tonumber(ARGV[5]) == 0 then return 1 end
redis.call('HSET', KEYS[1], 'status', ARGV[7], 'capacity', ARGV[8], 'groups', ARGV[9], 'load', ARGV[5], 'ver', 1,
  'idleSince', string.format('%d', nowms()))
for g in string.gmatch(ARGV[9], '[^,]+') do redis.call('SADD', wsBase .. ':members:' .. g, id) end
redis.call('SADD', KEYS[2], id)
redis.call('SADD', KEYS[3], ws)
return 1
`;

export const SCRIPTS = {
  kefuRoutingEnqueue: { numberOfKeys: 5, lua: ENQUEUE },
  kefuRoutingDequeue: { numberOfKeys: 2, lua: DEQUEUE },
  kefuRoutingPosition: { numberOfKeys: 1, lua: POSITION },
  kefuRoutingAssign: { numberOfKeys: 7, lua: ASSIGN },
  kefuRoutingAck: { numberOfKeys: 2, lua: ACK },
  kefuRoutingClaim: { numberOfKeys: 1, lua: CLAIM },
  kefuRoutingSetAgent: { numberOfKeys: 3, lua: SET_AGENT },
  kefuRoutingRelease: { numberOfKeys: 2, lua: RELEASE },
  kefuRoutingAssignDirect: { numberOfKeys: 4, lua: ASSIGN_DIRECT },
  kefuRoutingPositions: { numberOfKeys: 3, lua: POSITIONS },
  kefuRoutingSnapshot: { numberOfKeys: 2, lua: SNAPSHOT },
  kefuRoutingReconcileAgent: { numberOfKeys: 3, lua: RECONCILE_AGENT },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
