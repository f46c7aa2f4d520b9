package io.mpac.collector.config.value;
import io.mpac.collector.config.ast.Expr;
public final class Evaluator { public Evaluator(Scope s) {} public Value evaluate(Expr e) throws EvalException { throw new UnsupportedOperationException("stub"); } }
