package io.notifier.app;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The environment variable an option's default comes from. The flag wins over the variable, the
 * variable over the option's own {@code defaultValue}. See {@link EnvDefaults}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Env {
  String value();

  /** A secret: never printed by {@code notifier config} or logged. */
  boolean secret() default false;
}
