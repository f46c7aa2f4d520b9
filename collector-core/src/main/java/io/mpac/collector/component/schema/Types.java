package io.mpac.collector.component.schema;

import io.mpac.collector.component.Handle;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.Signal;
import java.util.List;

/** Shorthands for building schemas. */
public final class Types {

  public static final Type STRING = Type.Scalar.STRING;
  public static final Type SECRET = Type.Scalar.SECRET;
  public static final Type NUMBER = Type.Scalar.NUMBER;
  public static final Type INT = Type.Scalar.INT;
  public static final Type BOOL = Type.Scalar.BOOL;
  public static final Type DURATION = Type.Scalar.DURATION;
  public static final Type BYTES = Type.Scalar.BYTES;
  public static final Type ANY = Type.Scalar.ANY;
  public static final Type STRING_LIST = listOf(STRING);
  public static final Type STRING_MAP = mapOf(STRING);

  private Types() {}

  public static Type listOf(Type element) {
    return new Type.ListOf(element);
  }

  public static Type mapOf(Type value) {
    return new Type.MapOf(value);
  }

  public static Type oneOf(String... allowed) {
    return new Type.OneOf(List.of(allowed));
  }

  public static Type handle(String kind, Class<? extends Handle> javaType) {
    return new Type.HandleOf(kind, javaType, null);
  }

  /** A list of OTLP consumers that must accept {@code signal}: {@code output { traces = [...] }}. */
  public static Type consumersOf(Signal signal) {
    return listOf(new Type.HandleOf(OtlpConsumer.KIND, OtlpConsumer.class, signal));
  }
}
