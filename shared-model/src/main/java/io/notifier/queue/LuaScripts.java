package io.notifier.queue;

/**
 * The queue's Lua scripts. Each runs atomically in Redis, so a job is always in exactly one of: the
 * delayed set, the ready stream, the dead-letter stream, or gone (acknowledged). Every key a script
 * touches is passed in KEYS and shares one hash tag, as Redis Cluster requires.
 */
final class LuaScripts {

  private LuaScripts() {}

  /**
   * KEYS: delayed, payloads. ARGV: (id, readyAtMillis, json) triples. A job whose id is already
   * held (delayed or ready) is left alone, so enqueueing twice, or re-enqueueing after a lost
   * acknowledgement, never creates a second copy. Returns how many were added.
   */
  static final String ENQUEUE =
      """
      local added = 0
      for i = 1, #ARGV, 3 do
        if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 2]) == 1 then
          redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
          added = added + 1
        end
      end
      return added
      """;

  /**
   * KEYS: delayed, payloads, ready. ARGV: now in epoch millis (empty: use Redis TIME), limit. Moves
   * every job whose ready time has come into the stream, oldest first. Returns {moved, next ready
   * time in millis or -1, the now it used}.
   */
  static final String MOVE_DUE =
      """
      local now = tonumber(ARGV[1])
      if not now then
        local t = redis.call('TIME')
        now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
      for _, id in ipairs(ids) do
        local payload = redis.call('HGET', KEYS[2], id)
        if payload then
          redis.call('XADD', KEYS[3], '*', 'id', id, 'job', payload)
        end
        redis.call('ZREM', KEYS[1], id)
      end
      local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
      local nextAt = '-1'
      if head[2] then
        nextAt = head[2]
      end
      return {#ids, nextAt, tostring(now)}
      """;

  /** KEYS: ready, payloads. ARGV: group, stream id, job id. The final acknowledgement. */
  static final String ACK =
      """
      redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
      redis.call('XDEL', KEYS[1], ARGV[2])
      redis.call('HDEL', KEYS[2], ARGV[3])
      return 1
      """;

  /**
   * KEYS: ready, payloads. ARGV: group, then (stream id, job id) pairs. Many acknowledgements in
   * one round trip; each is {@link #ACK}.
   */
  static final String ACK_MANY =
      """
      local ids = {}
      for i = 2, #ARGV, 2 do
        ids[#ids + 1] = ARGV[i]
        redis.call('HDEL', KEYS[2], ARGV[i + 1])
      end
      redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
      redis.call('XDEL', KEYS[1], unpack(ids))
      return #ids
      """;

  /**
   * KEYS: ready, payloads, delayed. ARGV: group, stream id, job id, readyAtMillis, json.
   * Acknowledges the delivery and puts the job back on the delayed set in one step.
   */
  static final String RETRY =
      """
      redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
      redis.call('XDEL', KEYS[1], ARGV[2])
      redis.call('HSET', KEYS[2], ARGV[3], ARGV[5])
      redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
      return 1
      """;

  /**
   * KEYS: ready, payloads, dead. ARGV: group, stream id, job id, payload, reason, failedAt, kind,
   * max dead-letter length. Moves the delivery to the dead-letter stream in one step.
   */
  static final String DEAD_LETTER =
      """
      local entry = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], '*',
        'id', ARGV[3], 'kind', ARGV[7], 'job', ARGV[4], 'reason', ARGV[5], 'failedAt', ARGV[6])
      redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
      redis.call('XDEL', KEYS[1], ARGV[2])
      redis.call('HDEL', KEYS[2], ARGV[3])
      return entry
      """;
}
