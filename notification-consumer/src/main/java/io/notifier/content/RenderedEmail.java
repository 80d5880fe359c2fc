package io.notifier.content;

/** Subject and the two alternative bodies of one email. */
public record RenderedEmail(String subject, String text, String html) {

  /** Never prints the bodies (they hold client names). */
  @Override
  public String toString() {
    return "RenderedEmail[subject=" + subject + "]";
  }
}
