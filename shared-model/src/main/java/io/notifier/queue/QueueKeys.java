package io.notifier.queue;

/**
 * Every Redis key of one deployment. All share the hash tag {@code {namespace}}, so they live in
 * one Cluster slot and the Lua scripts that touch several of them run on Redis Cluster unchanged.
 *
 * @param delayed sorted set: job id scored by the epoch millisecond it becomes ready
 * @param payloads hash: job id to JSON, for every job in the delayed set or the ready stream; its
 *     keys are also how the reconciler knows what Redis holds
 * @param ready stream read by the consumer group; entries are deleted once acknowledged
 * @param dead stream of dead letters: the job, its last error and when it died
 * @param leader the producer's leader lease (a Redisson lock)
 * @param workers hash: worker id to its last heartbeat (JSON)
 * @param lastRuns hash: job kind or loop name to its last run (JSON)
 */
public record QueueKeys(
    String namespace,
    String delayed,
    String payloads,
    String ready,
    String dead,
    String leader,
    String workers,
    String lastRuns) {

  public static final String CONSUMER_GROUP = "workers";

  public static QueueKeys forNamespace(String namespace) {
    String tag = "{" + namespace + "}";
    return new QueueKeys(
        namespace,
        tag + ":delayed",
        tag + ":payloads",
        tag + ":ready",
        tag + ":dead",
        tag + ":leader",
        tag + ":workers",
        tag + ":last-runs");
  }
}
