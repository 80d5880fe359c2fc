package io.notifier.app;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr and a non-zero exit: 2 for a command line picocli
 * could not parse, 1 for anything else. {@code --verbose} adds the stack trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

  static final int USAGE = 2;
  static final int FAILURE = 1;

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    String message = oneLine(ex.getMessage());
    err.println(
        cmd.getCommandSpec().qualifiedName()
            + ": "
            + message
            + " (see '"
            + cmd.getCommandSpec().qualifiedName()
            + " --help')");
    if (verbose(args)) {
      ex.printStackTrace(err);
    }
    err.flush();
    return USAGE;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + describe(ex));
    if (verbose(parseResult.originalArgs().toArray(String[]::new))) {
      ex.printStackTrace(err);
    }
    err.flush();
    return FAILURE;
  }

  private static boolean verbose(String[] args) {
    return List.of(args).contains("--verbose") || List.of(args).contains("-v");
  }

  /** One plain sentence for an exception, naming the service when one could not be reached. */
  static String describe(Throwable ex) {
    if (ex instanceof UserException) {
      return oneLine(ex.getMessage());
    }
    Throwable root = rootCause(ex);
    if (has(ex, SQLTransientConnectionException.class) || isPostgresConnection(ex)) {
      return "cannot reach PostgreSQL: " + oneLine(message(root));
    }
    if (hasNamed(ex, "org.redisson.client.RedisConnectionException")
        || hasNamed(ex, "io.lettuce.core.RedisConnectionException")
        || hasNamed(ex, "org.redisson.client.RedisTimeoutException")) {
      return "cannot reach Redis: " + oneLine(message(firstNamed(ex)));
    }
    if (has(ex, SQLException.class)) {
      return "database error: " + oneLine(message(root));
    }
    if (ex instanceof IllegalArgumentException) {
      return oneLine(message(ex));
    }
    return "unexpected "
        + ex.getClass().getSimpleName()
        + ": "
        + oneLine(message(ex))
        + " (run with --verbose for details)";
  }

  private static boolean isPostgresConnection(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("08")) {
        return true;
      }
    }
    return false;
  }

  private static boolean has(Throwable ex, Class<?> type) {
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasNamed(Throwable ex, String className) {
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
        if (c.getName().equals(className)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Throwable firstNamed(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getClass().getName().startsWith("org.redisson.client.Redis")
          || t.getClass().getName().startsWith("io.lettuce.core.Redis")) {
        return t;
      }
    }
    return ex;
  }

  private static Throwable rootCause(Throwable ex) {
    Throwable t = ex;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String message(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s+", " ").trim();
  }
}
