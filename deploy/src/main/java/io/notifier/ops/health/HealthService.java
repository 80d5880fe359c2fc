package io.notifier.ops.health;

import io.notifier.ops.observe.RedisObserver;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The three health questions a process answers:
 *
 * <ul>
 *   <li>{@link #workers()}: is the deployment healthy (heartbeats, producer ticks, queues)?
 *   <li>{@link #live()}: is this process alive, its loops not wedged? (restart it if not)
 *   <li>{@link #ready()}: can it reach Redis and PostgreSQL? (send it no traffic if not)
 * </ul>
 */
public final class HealthService {

  private static final int DATABASE_VALID_TIMEOUT_SECONDS = 2;

  private final RedisObserver observer;
  private final HealthEvaluator evaluator;
  private final LoopWatch loops;
  private final DataSource database;

  /**
   * @param loops this process's loops, or null when it runs none
   * @param database the process's pool, or null when it uses no database
   */
  public HealthService(
      RedisObserver observer, HealthEvaluator evaluator, LoopWatch loops, DataSource database) {
    this.observer = observer;
    this.evaluator = evaluator;
    this.loops = loops;
    this.database = database;
  }

  public HealthReport workers() {
    return evaluator.evaluate(observer.snapshot());
  }

  public Check live() {
    if (loops == null) {
      return Check.of(List.of());
    }
    List<String> problems = new ArrayList<>();
    for (String wedged : loops.wedged(evaluator.config().loopWedgedAfter())) {
      problems.add("loop " + wedged + " is wedged");
    }
    return Check.of(problems);
  }

  public Check ready() {
    List<String> problems = new ArrayList<>();
    observer.ping().ifPresent(error -> problems.add("Redis: " + error));
    if (database != null) {
      databaseProblem().ifPresent(error -> problems.add("PostgreSQL: " + error));
    }
    return Check.of(problems);
  }

  private Optional<String> databaseProblem() {
    try (Connection connection = database.getConnection()) {
      return connection.isValid(DATABASE_VALID_TIMEOUT_SECONDS)
          ? Optional.empty()
          : Optional.of("connection is not valid");
    } catch (SQLException | RuntimeException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return Optional.of(message.replaceAll("\\s+", " ").trim());
    }
  }
}
