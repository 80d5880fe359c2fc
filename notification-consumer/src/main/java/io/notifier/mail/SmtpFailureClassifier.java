package io.notifier.mail;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sorts a failed send into the delivery policy's classes (docs/DELIVERY.md, "Failure classes").
 *
 * <p>The hard part is "the message data was sent, but no reply came". Jakarta Mail's {@code
 * SMTPTransport.sendMessage} writes the message and then calls {@code finishData()} (or {@code
 * finishBdat()} with CHUNKING), which writes the terminating {@code CRLF.CRLF} and reads the
 * server's reply. An exception raised inside those methods that carries no SMTP reply code means
 * the reply to the end of data never arrived (timeout, reset): the server may have accepted the
 * message (RFC 5321 section 6.1, RFC 1047), so the outcome is uncertain. The exception's stack
 * trace records where it was raised, so the test is exact and needs no protocol tracing; a reply
 * code anywhere in the cause chain (an {@code SMTPSendFailedException}) wins, because then the
 * server did answer.
 */
public final class SmtpFailureClassifier {

  private static final Pattern RESPONSE_CODE = Pattern.compile("response: ([2-5]\\d\\d)");
  private static final Pattern LEADING_CODE = Pattern.compile("^([2-5]\\d\\d)[ -]");
  private static final Pattern EMAIL = Pattern.compile("[^\\s<>\"'(),;:]+@[^\\s<>\"'(),;:]+");
  private static final Set<String> END_OF_DATA_METHODS = Set.of("finishData", "finishBdat");
  private static final Set<Integer> AUTH_CODES = Set.of(530, 534, 535, 538);
  private static final int MAX_DESCRIPTION = 500;

  private SmtpFailureClassifier() {}

  public static SmtpFailure classify(Throwable error) {
    List<Throwable> chain = chain(error);
    int code = 0;
    String command = null;
    String replyText = null;
    for (Throwable t : chain) {
      int rc = returnCode(t);
      if (rc >= 200) {
        code = rc;
        command = command(t);
        replyText = t.getMessage();
        break;
      }
    }
    if (code == 0) {
      for (Throwable t : chain) {
        if (t.getMessage() != null) {
          Matcher m = RESPONSE_CODE.matcher(t.getMessage());
          if (m.find()) {
            code = Integer.parseInt(m.group(1));
            replyText = t.getMessage();
            break;
          }
        }
      }
    }
    String detail = describe(chain, code, command, replyText);
    if (code >= 500) {
      if (AUTH_CODES.contains(code)) {
        // A rejected login is the relay's configuration, not this message: retry, then dead.
        return new SmtpFailure(SmtpFailure.Category.TRANSIENT, code, "auth", detail);
      }
      return new SmtpFailure(SmtpFailure.Category.PERMANENT, code, "smtp_5xx", detail);
    }
    if (code >= 400) {
      return new SmtpFailure(SmtpFailure.Category.TRANSIENT, code, "smtp_4xx", detail);
    }
    if (chain.stream().anyMatch(SmtpFailureClassifier::raisedAtEndOfData)) {
      return new SmtpFailure(
          SmtpFailure.Category.UNCERTAIN,
          0,
          "uncertain",
          "no reply to the end of the message data: " + detail);
    }
    if (has(chain, AuthenticationFailedException.class)) {
      return new SmtpFailure(SmtpFailure.Category.TRANSIENT, 0, "auth", detail);
    }
    if (has(chain, SocketTimeoutException.class)) {
      return new SmtpFailure(SmtpFailure.Category.TRANSIENT, 0, "timeout", detail);
    }
    if (has(chain, IOException.class)) {
      return new SmtpFailure(SmtpFailure.Category.TRANSIENT, 0, "connection", detail);
    }
    if (has(chain, TimeoutException.class) || has(chain, InterruptedException.class)) {
      return new SmtpFailure(SmtpFailure.Category.TRANSIENT, 0, "pool", detail);
    }
    if (has(chain, MessagingException.class)) {
      return new SmtpFailure(SmtpFailure.Category.TRANSIENT, 0, "smtp_other", detail);
    }
    if (chain.stream().anyMatch(t -> t.getClass().getName().startsWith("org.simplejavamail."))) {
      // simple-java-mail refused the message itself (validation): sending it again cannot help.
      return new SmtpFailure(SmtpFailure.Category.PERMANENT, 0, "invalid_message", detail);
    }
    return new SmtpFailure(SmtpFailure.Category.TRANSIENT, 0, "unexpected", detail);
  }

  /** Replaces anything that looks like an email address, so errors are safe to log and store. */
  public static String scrub(String text) {
    if (text == null) {
      return "";
    }
    String scrubbed = EMAIL.matcher(text).replaceAll("<address>").replaceAll("\\s+", " ").trim();
    return scrubbed.length() <= MAX_DESCRIPTION
        ? scrubbed
        : scrubbed.substring(0, MAX_DESCRIPTION) + "...";
  }

  private static boolean raisedAtEndOfData(Throwable t) {
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getClassName().endsWith("SMTPTransport")
          && END_OF_DATA_METHODS.contains(frame.getMethodName())) {
        return true;
      }
    }
    return false;
  }

  private static String describe(List<Throwable> chain, int code, String command, String reply) {
    StringBuilder text = new StringBuilder();
    if (code > 0) {
      text.append(code);
      if (command != null && !command.isBlank()) {
        String verb = command.trim().split("[\\s:]", 2)[0].toUpperCase(Locale.ROOT);
        text.append(" on ").append(verb.isEmpty() ? "." : verb);
      }
      String replyBody = reply == null ? "" : reply.trim();
      Matcher leading = LEADING_CODE.matcher(replyBody);
      if (leading.find()) {
        replyBody = replyBody.substring(leading.end());
      }
      if (!replyBody.isEmpty()) {
        text.append(": ").append(replyBody);
      }
      return scrub(text.toString());
    }
    // No reply: name the innermost cause (e.g. SocketTimeoutException: Read timed out).
    Throwable root = chain.get(chain.size() - 1);
    Throwable top = chain.get(0);
    text.append(root.getClass().getSimpleName());
    if (root.getMessage() != null) {
      text.append(": ").append(root.getMessage());
    }
    if (root != top && top.getMessage() != null) {
      text.append(" (").append(top.getMessage()).append(')');
    }
    return scrub(text.toString());
  }

  private static boolean has(List<Throwable> chain, Class<? extends Throwable> type) {
    return chain.stream().anyMatch(type::isInstance);
  }

  /** The exception, its causes and Jakarta Mail's nested exceptions, each once, outermost first. */
  static List<Throwable> chain(Throwable error) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> todo = new ArrayList<>();
    todo.add(error);
    while (!todo.isEmpty() && chain.size() < 32) {
      Throwable t = todo.remove(0);
      if (t == null || !seen.add(t)) {
        continue;
      }
      chain.add(t);
      todo.add(t.getCause());
      if (t instanceof MessagingException m) {
        todo.add(m.getNextException());
      }
    }
    return chain;
  }

  /**
   * The reply code of Jakarta Mail's SMTP exceptions ({@code SMTPSendFailedException}, {@code
   * SMTPAddressFailedException}, {@code SMTPSenderFailedException}). They live in the
   * implementation (Angus Mail), which is a runtime-only dependency, so the method is looked up by
   * name.
   */
  private static int returnCode(Throwable t) {
    Object value = invoke(t, "getReturnCode");
    return value instanceof Integer code ? code : -1;
  }

  private static String command(Throwable t) {
    Object value = invoke(t, "getCommand");
    return value instanceof String command ? command : null;
  }

  private static Object invoke(Throwable t, String method) {
    try {
      Method m = t.getClass().getMethod(method);
      return m.invoke(t);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
