package io.mpac.collector.config.value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value of the configuration language: {@code null}, bool, number, string, array, object,
 * function, or a capsule (an opaque handle to a component's export, such as a consumer).
 * Values are immutable.
 */
public sealed interface Value {

  /** The type's name as users see it in diagnostics: "string", "number", "capsule(otelcol.Consumer)". */
  String typeName();

  Value NULL = Null.INSTANCE;

  static Value of(String s) {
    return new Str(s, false);
  }

  static Value of(boolean b) {
    return b ? Bool.TRUE : Bool.FALSE;
  }

  static Value of(long n) {
    return Num.of(n);
  }

  static Value of(double n) {
    return Num.of(n);
  }

  enum Null implements Value {
    INSTANCE;

    @Override
    public String typeName() {
      return "null";
    }

    @Override
    public String toString() {
      return "null";
    }
  }

  record Bool(boolean value) implements Value {
    public static final Bool TRUE = new Bool(true);
    public static final Bool FALSE = new Bool(false);

    @Override
    public String typeName() {
      return "bool";
    }
  }

  /**
   * A number. Alloy keeps integers and floats apart internally but shows them as one type: an
   * integer stays exact ({@code isInteger}) until an operation needs a float.
   */
  record Num(long longValue, double doubleValue, boolean isInteger) implements Value {

    public static Num of(long n) {
      return new Num(n, n, true);
    }

    public static Num of(double d) {
      return new Num((long) d, d, false);
    }

    @Override
    public String typeName() {
      return "number";
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Num other)) return false;
      if (isInteger && other.isInteger) return longValue == other.longValue;
      return Double.compare(doubleValue, other.doubleValue) == 0;
    }

    @Override
    public int hashCode() {
      return Double.hashCode(doubleValue);
    }

    @Override
    public String toString() {
      if (isInteger) return Long.toString(longValue);
      if (doubleValue == Math.rint(doubleValue) && !Double.isInfinite(doubleValue)) {
        return Long.toString((long) doubleValue);
      }
      return Double.toString(doubleValue);
    }
  }

  /** A string; {@code secret} strings are never shown (the UI and API print "(secret)"). */
  record Str(String value, boolean secret) implements Value {
    @Override
    public String typeName() {
      return secret ? "secret" : "string";
    }

    @Override
    public String toString() {
      return secret ? "(secret)" : value;
    }
  }

  record Array(List<Value> elements) implements Value {
    public Array {
      elements = Collections.unmodifiableList(new ArrayList<>(elements));
    }

    @Override
    public String typeName() {
      return "array";
    }
  }

  /** An object; keys keep their insertion order. */
  record Obj(Map<String, Value> fields) implements Value {
    public Obj {
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    @Override
    public String typeName() {
      return "object";
    }
  }

  /** A standard-library function. */
  record Function(String name, StdFunction body) implements Value {
    @Override
    public String typeName() {
      return "function";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Function f && f.body == body;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(body);
    }
  }

  /**
   * An opaque handle, such as {@code otelcol.processor.batch.default.input}. {@code kind} names
   * the handle type ("otelcol.Consumer", "LogsReceiver"), {@code origin} the export it came from,
   * for diagnostics. Two capsules are equal when they hold the same object.
   */
  record Capsule(String kind, Object handle, String origin) implements Value {
    @Override
    public String typeName() {
      return "capsule(" + kind + ")";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Capsule c && c.handle == handle;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(handle);
    }

    @Override
    public String toString() {
      return origin != null ? origin : "capsule(" + kind + ")";
    }
  }
}
