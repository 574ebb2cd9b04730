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
 * Lua: each queue keeps its members' state packed in one hash (`mstate:<g>`: agent id →
 * "id|status|capacity|load|idleSince|levels"), so a snapshot reads all members in one HVALS instead of
 * one HMGET per member. Every script that changes an agent's status, capacity, load, idle time or
 * groups calls packAgent. The packed copy only feeds plans: APPLY re-checks the agent hash itself, so
 * a stale copy can cost a plan, never capacity; a copy out of step with the member set is rebuilt
 * (SNAPSHOT_FN), and reconcile drops them all.
 */
const PACK_FN = `
local function packedState(wsBase, id)
  local a = redis.call('HMGET', wsBase .. ':agent:' .. id, 'status', 'capacity', 'load', 'idleSince', 'levels', 'groups')
  return id .. '|' .. (a[1] or 'offline') .. '|' .. (a[2] or '0') .. '|' .. (a[3] or '0') .. '|' .. (a[4] or '0') .. '|' .. (a[5] or ''), a[6]
end
local function packAgent(wsBase, id)
  local p, groups = packedState(wsBase, id)
  redis.call('HSET', wsBase .. ':mstate:_', id, p)
  for g in string.gmatch(groups or '', '[^,]+') do redis.call('HSET', wsBase .. ':mstate:' .. g, id, p) end
end
`;

/** Lua: the body of SNAPSHOT_GROUP, shared with ENQUEUE (which can return a snapshot in the same step). */
const SNAPSHOT_FN = `${PACK_FN}
local function snapshot(queueKey, membersKey, metaKey, mstateKey, wsBase, headSize)
  local head = redis.call('ZRANGE', queueKey, 0, headSize - 1, 'WITHSCORES')
  local entries = {}
  if #head == 0 then return {nowms(), entries, {}} end
  for i = 1, #head, 2 do
    entries[#entries + 1] = head[i]
    entries[#entries + 1] = head[i + 1]
    entries[#entries + 1] = redis.call('HGET', metaKey, head[i]) or ''
  end
  if redis.call('HLEN', mstateKey) == redis.call('SCARD', membersKey) then
    return {nowms(), entries, redis.call('HVALS', mstateKey)}
  end
  -- Packed states missing or out of step with the members (first use, an upgrade, a reconcile): rebuild.
  redis.call('DEL', mstateKey)
  local ids = redis.call('SMEMBERS', membersKey)
  local members = {}
  for i = 1, #ids do
    members[i] = packedState(wsBase, ids[i])
    redis.call('HSET', mstateKey, ids[i], members[i])
  end
  return {nowms(), entries, members}
end
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
redis.call('HDEL', wsBase .. ':meta', conv)
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
 * Puts a conversation in a queue. Its score (the order) is its enqueue time minus its priority
 * advance, so waiting time stays the base order and priority rules move a customer ahead by a bounded
 * amount. KEYS: queue, queued (conv → g), pos (conv → last pushed position), active (global), pending, meta,
 * members (of the group), mstate (their packed states). ARGV: wsBase, ws, conv, g, maxQueueLength (-1: unlimited), queuedAt ms
 * ('' = now), advanceMs, meta (a JSON object without queuedAt/groupSince, which are filled in here),
 * snapshot head size (0: none).
 * Returns {1, position, snapshot?} queued (or already queued there: original place kept), {0, 0} full,
 * {2, 0} the conversation is already being assigned (pending). With a head size, the queue's
 * SNAPSHOT_GROUP result comes along, so the assignment that usually follows needs no second round trip.
 */
export const ENQUEUE = `${NOW}${SNAPSHOT_FN}
local headSize = tonumber(ARGV[9]) or 0
local wsBase, ws, conv, g = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local max = tonumber(ARGV[5])
local advance = tonumber(ARGV[7]) or 0
local prev = redis.call('HGET', KEYS[2], conv)
if prev == g then
  local r = redis.call('ZRANK', KEYS[1], conv)
  if r then
    if headSize > 0 then return {1, r + 1, snapshot(KEYS[1], KEYS[7], KEYS[6], KEYS[8], wsBase, headSize)} end
    return {1, r + 1}
  end
end
if redis.call('HEXISTS', KEYS[5], conv) == 1 then return {2, 0} end
if max >= 0 and redis.call('ZCARD', KEYS[1]) >= max then return {0, 0} end
if prev and prev ~= g then
  local pq = wsBase .. ':q:' .. prev
  redis.call('ZREM', pq, conv)
  redis.call('HDEL', wsBase .. ':pos:' .. prev, conv)
  if redis.call('ZCARD', pq) == 0 then redis.call('SREM', KEYS[4], ws .. '|' .. prev) end
end
local now = nowms()
local base = now
if ARGV[6] ~= '' then base = tonumber(ARGV[6]) end
local score = base - advance
if ARGV[6] == '' and advance == 0 then
  -- Strict FIFO within one millisecond: never score below the current tail (1/1000 ms steps).
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if last[2] and tonumber(last[2]) >= score then score = tonumber(last[2]) + 0.001 end
end
-- Equal scores would order by member id: step past any taken score so arrival order holds.
for _ = 1, 50 do
  if #redis.call('ZRANGEBYSCORE', KEYS[1], string.format('%.3f', score), string.format('%.3f', score), 'LIMIT', 0, 1) == 0 then break end
  score = score + 0.001
end
redis.call('ZADD', KEYS[1], string.format('%.3f', score), conv)
redis.call('HSET', KEYS[2], conv, g)
redis.call('SADD', KEYS[4], ws .. '|' .. g)
redis.call('HSET', KEYS[6], conv, '{"queuedAt":' .. string.format('%d', base) .. ',"groupSince":' .. string.format('%d', now) .. ',' .. string.sub(ARGV[8], 2))
local pos = redis.call('ZRANK', KEYS[1], conv) + 1
redis.call('HSET', KEYS[3], conv, pos)
if headSize > 0 then return {1, pos, snapshot(KEYS[1], KEYS[7], KEYS[6], KEYS[8], wsBase, headSize)} end
return {1, pos}
`;

/**
 * What a routing decision for one queue needs, read in one step: the head of the queue with each
 * conversation's routing meta, and every member of the group with its state.
 * KEYS: queue, members, meta, mstate. ARGV: wsBase, head size.
 * Returns {now, {conv, score, meta, …}, {"id|status|capacity|load|idleSince|levels", …}}.
 */
export const SNAPSHOT_GROUP = `${NOW}${SNAPSHOT_FN}
return snapshot(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]))
`;

/**
 * Applies a planned batch of assignments of one queue, each only if it still holds: the conversation
 * still waits in this queue and is not being assigned, and the agent is online with a free slot
 * (capacity capped by the group's override). Each applied one is recorded in the pending hash, the due
 * index and the decision hash before returning, like every assignment.
 * KEYS: queue, queued, pos, pending, due (global), active (global), meta, decisions.
 * ARGV: wsBase, ws, g, group cap (-1: none), then conv, agentId, decision JSON for each planned item.
 * Returns a flat list conv, record, … of the applied ones.
 */
export const APPLY = `${NOW}${PACK_FN}
local wsBase, ws, g = ARGV[1], ARGV[2], ARGV[3]
local groupCap = tonumber(ARGV[4])
local now = nowms()
local nowStr = string.format('%d', now)
local out = {}
for i = 5, #ARGV, 3 do
  local conv, id, decision = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('ZSCORE', KEYS[1], conv) and redis.call('HEXISTS', KEYS[4], conv) == 0 then
    local akey = wsBase .. ':agent:' .. id
    local a = redis.call('HMGET', akey, 'status', 'capacity', 'load')
    local cap = tonumber(a[2]) or 0
    if groupCap >= 0 and groupCap < cap then cap = groupCap end
    if a[1] == 'online' and (tonumber(a[3]) or 0) < cap then
      redis.call('ZREM', KEYS[1], conv)
      redis.call('HDEL', KEYS[2], conv)
      redis.call('HDEL', KEYS[3], conv)
      redis.call('HDEL', KEYS[7], conv)
      redis.call('HINCRBY', akey, 'load', 1)
      redis.call('HINCRBY', akey, 'ver', 1)
      redis.call('HSET', akey, 'idleSince', nowStr)
      packAgent(wsBase, id)
      local rec = cjson.encode({ agentId = id, group = g, at = nowStr })
      redis.call('HSET', KEYS[4], conv, rec)
      redis.call('HSET', KEYS[8], conv, decision)
      redis.call('ZADD', KEYS[5], nowStr, ws .. '|' .. conv)
      out[#out + 1] = conv
      out[#out + 1] = rec
    end
  end
end
if #out > 0 then
  -- Service rate of the group (per minute, kept 15 minutes): the basis of waiting-time estimates.
  local rk = wsBase .. ':served:' .. g .. ':' .. string.format('%d', math.floor(now / 60000))
  redis.call('INCRBY', rk, math.floor(#out / 2))
  redis.call('PEXPIRE', rk, 900000)
end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[6], ws .. '|' .. g) end
return out
`;

/**
 * Overflow: moves a waiting conversation from one queue to another, keeping its score (waiting time
 * and priority) and restarting its time in the new group. Refused if it no longer waits in `from`,
 * is being assigned, or `to` is at its limit.
 * KEYS: queued, active, meta, pending. ARGV: wsBase, ws, conv, from, to, max (-1: unlimited).
 * Returns 1 moved, 0 not waiting in `from`, -1 `to` is full.
 */
export const MOVE = `${NOW}
local wsBase, ws, conv, from, to = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('HGET', KEYS[1], conv) ~= from or redis.call('HEXISTS', KEYS[4], conv) == 1 then return 0 end
local fq, tq = wsBase .. ':q:' .. from, wsBase .. ':q:' .. to
local score = redis.call('ZSCORE', fq, conv)
if not score then return 0 end
local max = tonumber(ARGV[6])
if max >= 0 and redis.call('ZCARD', tq) >= max then return -1 end
redis.call('ZREM', fq, conv)
redis.call('HDEL', wsBase .. ':pos:' .. from, conv)
if redis.call('ZCARD', fq) == 0 then redis.call('SREM', KEYS[2], ws .. '|' .. from) end
redis.call('ZADD', tq, score, conv)
redis.call('HSET', KEYS[1], conv, to)
redis.call('SADD', KEYS[2], ws .. '|' .. to)
local meta = redis.call('HGET', KEYS[3], conv)
if meta then
  meta = string.gsub(meta, '"groupSince":%d+', '"groupSince":' .. string.format('%d', nowms()), 1)
  redis.call('HSET', KEYS[3], conv, meta)
end
return 1
`;

/** Removes a pending assignment once delivered, only if it is still the same record. KEYS: pending, due, decisions. ARGV: conv, record, dueMember. */
export const ACK = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[1])
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
 * KEYS: agent, agents (workspace), workspaces (global). ARGV: wsBase, ws, agentId, status, capacity, groups (csv),
 * levels (csv of group:level).
 * The load is kept; group membership follows the new list. Returns 1.
 */
export const SET_AGENT = `${NOW}${PACK_FN}
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
    if not keep[g] then
      redis.call('SREM', wsBase .. ':members:' .. g, id)
      redis.call('HDEL', wsBase .. ':mstate:' .. g, id)
    end
  end
end
redis.call('HSET', KEYS[1], 'status', ARGV[4], 'capacity', ARGV[5], 'groups', ARGV[6], 'levels', ARGV[7] or '')
redis.call('SADD', KEYS[2], id)
redis.call('SADD', KEYS[3], ws)
packAgent(wsBase, id)
return 1
`;

/**
 * Frees one slot (never below 0). With a marker key (KEYS[2], ARGV[1] = its lifetime in ms), only the
 * first call with that key frees one: a retried release is a no-op. KEYS: agent, marker. ARGV: marker
 * lifetime, wsBase, agentId. Returns {status, groups, g, headScore, …} or nil for an unknown agent: the
 * non-empty queues of an online agent (its groups and the default queue) with their head's score, so
 * the drain that follows needs no round trip per queue.
 */
export const RELEASE = `${PACK_FN}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local fresh = ARGV[1] == '' or redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1])
local load = tonumber(redis.call('HGET', KEYS[1], 'load')) or 0
if fresh and load > 0 then
  redis.call('HINCRBY', KEYS[1], 'load', -1)
  redis.call('HINCRBY', KEYS[1], 'ver', 1)
  packAgent(ARGV[2], ARGV[3])
end
local a = redis.call('HMGET', KEYS[1], 'status', 'groups')
local out = {a[1] or '', a[2] or ''}
if a[1] == 'online' then
  local gs = {}
  for g in string.gmatch(a[2] or '', '[^,]+') do gs[#gs + 1] = g end
  gs[#gs + 1] = '_'
  for i = 1, #gs do
    local h = redis.call('ZRANGE', ARGV[2] .. ':q:' .. gs[i], 0, 0, 'WITHSCORES')
    if h[2] then
      out[#out + 1] = gs[i]
      out[#out + 1] = h[2]
    end
  end
end
return out
`;

/**
 * Takes one slot of a given agent (transfer): only if online with a free slot and the conversation is
 * not in the middle of a queue assignment; a conversation still waiting in a queue leaves it.
 * With a marker key (KEYS[5], ARGV[5] = its lifetime in ms; '' = none) the take is idempotent: a retry
 * with the same key finds the marker naming this agent and takes no second slot.
 * KEYS: agent, queued, pending, active, marker. ARGV: wsBase, ws, conv, agentId, marker lifetime. Returns 1 or 0.
 */
export const ASSIGN_DIRECT = `${NOW}${PACK_FN}
local wsBase, ws, conv = ARGV[1], ARGV[2], ARGV[3]
if ARGV[5] ~= '' and redis.call('GET', KEYS[5]) == ARGV[4] then return 1 end
if redis.call('HEXISTS', KEYS[3], conv) == 1 then return 0 end
local a = redis.call('HMGET', KEYS[1], 'status', 'capacity', 'load')
if a[1] ~= 'online' then return 0 end
if (tonumber(a[3]) or 0) >= (tonumber(a[2]) or 0) then return 0 end
redis.call('HINCRBY', KEYS[1], 'load', 1)
redis.call('HINCRBY', KEYS[1], 'ver', 1)
redis.call('HSET', KEYS[1], 'idleSince', string.format('%d', nowms()))
packAgent(wsBase, ARGV[4])
if ARGV[5] ~= '' then redis.call('SET', KEYS[5], ARGV[4], 'PX', ARGV[5]) end
local g = redis.call('HGET', KEYS[2], conv)
if g then
  local q = wsBase .. ':q:' .. g
  redis.call('ZREM', q, conv)
  redis.call('HDEL', KEYS[2], conv)
  redis.call('HDEL', wsBase .. ':pos:' .. g, conv)
  redis.call('HDEL', wsBase .. ':meta', conv)
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
 * load, hasProfile ('1'/'0'), status, capacity, groups (csv), levels (csv of group:level), then the ids of
 * closed conversations still assigned to the agent: each adds 1 to the load unless its close already
 * released the slot (its `released:close:<conv>` marker exists). Returns 1 done, 0 changed meanwhile.
 */
export const RECONCILE_AGENT = `${NOW}${PACK_FN}
local wsBase, ws, id = ARGV[1], ARGV[2], ARGV[3]
local load = tonumber(ARGV[5])
for i = 11, #ARGV do
  if redis.call('EXISTS', wsBase .. ':released:close:' .. ARGV[i]) == 0 then load = load + 1 end
end
local loadStr = tostring(load)
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[4] == '' or (redis.call('HGET', KEYS[1], 'ver') or '0') ~= ARGV[4] then return 0 end
  redis.call('HSET', KEYS[1], 'load', loadStr)
  redis.call('HINCRBY', KEYS[1], 'ver', 1)
  packAgent(wsBase, id)
  return 1
end
if ARGV[4] ~= '' then return 0 end
if ARGV[6] ~= '1' and load == 0 then return 1 end
redis.call('HSET', KEYS[1], 'status', ARGV[7], 'capacity', ARGV[8], 'groups', ARGV[9], 'levels', ARGV[10] or '', 'load', loadStr, 'ver', 1,
  'idleSince', string.format('%d', nowms()))
for g in string.gmatch(ARGV[9], '[^,]+') do redis.call('SADD', wsBase .. ':members:' .. g, id) end
redis.call('SADD', KEYS[2], id)
redis.call('SADD', KEYS[3], ws)
packAgent(wsBase, id)
return 1
`;

export const SCRIPTS = {
  kefuRoutingEnqueue: { numberOfKeys: 8, lua: ENQUEUE },
  kefuRoutingDequeue: { numberOfKeys: 2, lua: DEQUEUE },
  kefuRoutingPosition: { numberOfKeys: 1, lua: POSITION },
  kefuRoutingSnapshotGroup: { numberOfKeys: 4, lua: SNAPSHOT_GROUP },
  kefuRoutingApply: { numberOfKeys: 8, lua: APPLY },
  kefuRoutingMove: { numberOfKeys: 4, lua: MOVE },
  kefuRoutingAck: { numberOfKeys: 3, lua: ACK },
  kefuRoutingClaim: { numberOfKeys: 1, lua: CLAIM },
  kefuRoutingSetAgent: { numberOfKeys: 3, lua: SET_AGENT },
  kefuRoutingRelease: { numberOfKeys: 2, lua: RELEASE },
  kefuRoutingAssignDirect: { numberOfKeys: 5, lua: ASSIGN_DIRECT },
  kefuRoutingPositions: { numberOfKeys: 3, lua: POSITIONS },
  kefuRoutingSnapshot: { numberOfKeys: 2, lua: SNAPSHOT },
  kefuRoutingReconcileAgent: { numberOfKeys: 3, lua: RECONCILE_AGENT },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
