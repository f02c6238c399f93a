package io.nrj.dsl.resolve;

import io.nrj.dsl.Diagnostics;
import io.nrj.dsl.Message;
import io.nrj.dsl.ast.Definition.BlockDef;
import io.nrj.dsl.ast.Definition.Parameter;
import io.nrj.dsl.ast.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Binds a block call's arguments to the block's parameters: positional first, then named, then
 * defaults (evaluated in order, so a default may use earlier parameters). Arguments are evaluated
 * in the caller's scope.
 */
final class Arguments {
  private final Diagnostics diagnostics;
  private final Expressions expressions;
  private final IntSupplier channels;

  Arguments(Diagnostics diagnostics, Expressions expressions, IntSupplier channels) {
    this.diagnostics = diagnostics;
    this.expressions = expressions;
    this.channels = channels;
  }

  Map<String, Long> bind(BlockDef block, Statement.Call call, Map<String, Long> callerEnv) {
    String name = block.name().value();
    List<Parameter> params = block.parameters();
    List<String> paramNames = new ArrayList<>();
    for (Parameter p : params) paramNames.add(p.name().value());
    String signature = String.join(", ", paramNames);
    long positional = call.arguments().stream().filter(a -> a.name() == null).count();
    if (positional > params.size() || call.arguments().size() > params.size()) {
      diagnostics.report(Message.WRONG_ARITY, call.location(), name, params.size(), call.arguments().size(), signature);
      throw new Abort();
    }
    Map<String, Long> bound = new LinkedHashMap<>();
    int index = 0;
    boolean failed = false;
    for (Statement.Argument a : call.arguments()) {
      String key;
      if (a.name() == null) {
        key = paramNames.get(index++);
      } else {
        key = a.name().value();
        if (!paramNames.contains(key)) {
          diagnostics.report(Message.UNKNOWN_PARAMETER, a.name().location(), name, key, signature);
          failed = true;
          continue;
        }
        if (bound.containsKey(key)) {
          diagnostics.report(Message.DUPLICATE_ARGUMENT, a.name().location(), key);
          failed = true;
          continue;
        }
      }
      bound.put(key, expressions.eval(a.value(), callerEnv, channels));
    }
    if (failed) throw new Abort();
    Map<String, Long> env = new LinkedHashMap<>();
    for (Parameter p : params) {
      String key = p.name().value();
      Long value = bound.get(key);
      if (value == null && p.defaultValue() != null) value = expressions.eval(p.defaultValue(), env, channels);
      if (value == null) {
        diagnostics.report(Message.MISSING_ARGUMENT, call.location(), key, name);
        throw new Abort();
      }
      env.put(key, value);
    }
    return java.util.Collections.unmodifiableMap(env);
  }
}
