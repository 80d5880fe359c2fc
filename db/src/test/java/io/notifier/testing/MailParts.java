package io.notifier.testing;

import jakarta.mail.Multipart;
import jakarta.mail.Part;

/** Reads the text and HTML bodies of a received message, however its multiparts nest. */
public final class MailParts {

  private MailParts() {}

  /** The first {@code text/plain} body, or null. */
  public static String text(Part message) throws Exception {
    return part(message, "text/plain");
  }

  /** The first {@code text/html} body, or null. */
  public static String html(Part message) throws Exception {
    return part(message, "text/html");
  }

  private static String part(Part part, String type) throws Exception {
    if (part.isMimeType(type)) {
      return part.getContent().toString();
    }
    if (part.getContent() instanceof Multipart multipart) {
      for (int i = 0; i < multipart.getCount(); i++) {
        String found = part(multipart.getBodyPart(i), type);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
