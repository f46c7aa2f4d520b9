package io.mpac.collector.config.value;

import java.util.List;

/** The body of a standard-library function: pure, given already-evaluated arguments. */
@FunctionalInterface
public interface StdFunction {
  /** @throws EvalException with a message only; the evaluator adds the call's position. */
  Value call(List<Value> arguments) throws EvalException;
}
