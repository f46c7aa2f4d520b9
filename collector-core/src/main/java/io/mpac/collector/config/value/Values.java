package io.mpac.collector.config.value;
import com.fasterxml.jackson.databind.JsonNode;
public final class Values { public static JsonNode toJson(Value v) { throw new UnsupportedOperationException("stub"); } public static String display(Value v) { return v.toString(); } }
