package io.mpac.collector.config.value;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void jsonRoundTrip() throws Exception {
    ObjectMapper m = new ObjectMapper();
    Value v = Values.fromJson(m.readTree("{\"b\":[1,2.5,\"x\",null,false],\"a\":{}}"));
    assertThat(((Value.Obj) v).fields().keySet()).containsExactly("b", "a");
    assertThat(m.writeValueAsString(Values.toJson(v))).isEqualTo("{\"b\":[1,2.5,\"x\",null,false],\"a\":{}}");
  }

  @Test
  void toJsonHidesSecretsAndNamesCapsules() throws Exception {
    Map<String, Value> f = new LinkedHashMap<>();
    f.put("pw", new Value.Str("x", true));
    f.put("next", new Value.Capsule("otelcol.Consumer", new Object(), "otelcol.processor.batch.default.input"));
    assertThat(new ObjectMapper().writeValueAsString(Values.toJson(new Value.Obj(f))))
        .isEqualTo("{\"pw\":\"(secret)\",\"next\":\"otelcol.processor.batch.default.input\"}");
  }

  @Test
  void displayWritesAlloySyntax() {
    Map<String, Value> f = new LinkedHashMap<>();
    f.put("a", Value.of(1));
    f.put("b.c", new Value.Array(List.of(Value.of("x\"y"), Value.of(1.5), Value.NULL, Value.of(true))));
    f.put("pw", new Value.Str("x", true));
    f.put("e", new Value.Obj(Map.of()));
    assertThat(Values.display(new Value.Obj(f)))
        .isEqualTo("{ a = 1, \"b.c\" = [\"x\\\"y\", 1.5, null, true], pw = (secret), e = {} }");
    assertThat(Values.display(Value.of(-2.5))).isEqualTo("-2.5");
    assertThat(Values.display(new Value.Capsule("LogsReceiver", new Object(), null))).isEqualTo("capsule(\"LogsReceiver\")");
  }
}
