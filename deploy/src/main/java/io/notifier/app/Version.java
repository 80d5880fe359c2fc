package io.notifier.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code notifier --version}: the build's version and the Java it runs on. */
final class Version implements IVersionProvider {

  static String version() {
    try (InputStream in = Version.class.getResourceAsStream("/notifier-version.properties")) {
      if (in == null) {
        return "development build";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "development build");
    } catch (IOException e) {
      return "development build";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "notifier " + version(),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
