package io.nrj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The error table (Trino's TestSqlParserErrorHandling style): each bad input with every diagnostic
 * it must give, exactly: position, code, message and remedy.
 */
class ErrorTableTest {
  private static Arguments row(String source, String expected) {
    return Arguments.of(source, expected);
  }

  /** Blocks b0 calls b1 calls ... b(n-1), each on its own line. */
  static String chain(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n - 1; i++) b.append("block b").append(i).append("() { b").append(i + 1).append("() }\n");
    return b.append("block b").append(n - 1).append("() { conv 4 k3 }\n").toString();
  }

  static Stream<Arguments> table() {
    return Stream.of(
        row(
            "block unused(w) { conv w k3 }\nnetwork n {\n input 3x8x8\n classes 2\n classifier\n}",
            "line 1:7: [NR-DSL-217] block 'unused' is never called, so it was not checked | help: call it from a network, or remove it"),
        row(
            "block b(w, s) { conv w k3 }\nnetwork n {\n input 3x8x8\n classes 2\n b(3, w = 4)\n classifier\n}",
            "line 5:7: [NR-DSL-207] argument 'w' is given twice"),
        row(
            "network n {\n input 3x8x8\n classes 2\n convv 4 k3\n classifier\n}",
            "line 4:2: [NR-DSL-106] unknown layer kind 'convv' | help: did you mean 'conv'?"),
        row(
            "network n {\n input 3x8x8\n classes 2\n linear 10\n classifier\n}",
            "line 4:2: [NR-DSL-106] unknown layer kind 'linear' | help: did you mean 'classifier'?"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3\n zzz\n}",
            "line 5:2: [NR-DSL-106] unknown layer kind 'zzz' | help: a layer is conv, maxpool, avgpool, relu, residual, dense,"
                + " repeat, add, concat, classifier or a block call 'name(...)'"),
        row(
            "block stage(w) { conv w k3 }\nnetwork n {\n input 3x8x8\n classes 2\n stage 4\n classifier\n}",
            "line 5:2: [NR-DSL-106] unknown layer kind 'stage' | help: 'stage' is a block: call it with parentheses, 'stage(...)'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 128 k3 bias\n maxpool 2\n classifier\n}",
            "line 4:14: [NR-DSL-107] unknown conv option 'bias' | help: conv options are: kN, kernel N, stride N, pad N, norelu,"
                + " input, fixed, split, from LAYER"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3\n maxpool 2 ceil\n classifier\n}",
            "line 5:12: [NR-DSL-107] unknown maxpool option 'ceil' | help: maxpool options are: stride N, pad N, from LAYER"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 64 3\n classifier\n}",
            "line 4:10: [NR-DSL-310] conv has no kernel size | help: write 'k3' (or 'kernel 3')"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3 \u0000\n classifier\n}",
            "line 4:12: [NR-DSL-105] unexpected character 'U+0000'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3 \u202e\n classifier\n}",
            "line 4:12: [NR-DSL-105] unexpected character 'U+202E'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv " + "(".repeat(70) + "4" + ")".repeat(70) + " k3\n classifier\n}",
            "line 4:70: [NR-DSL-108] nesting deeper than 64 levels (parentheses, braces and signs)"
                + " | help: move the inner part into a block, or simplify the expression"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4" + " + 1".repeat(300) + " k3\n classifier\n}",
            "line 4:1033: [NR-DSL-109] expression with more than 256 operators | help: split it, for example over block parameters"),
        row(
            chain(70) + "network n {\n input 3x8x8\n classes 2\n b0()\n classifier\n}",
            "line 64:15: [NR-DSL-319] block calls nested deeper than 64 levels, at 'b64' | help: flatten the chain of blocks"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3 strid 2\n classifier\n}",
            "line 4:12: [NR-DSL-102] unknown keyword 'strid' | help: did you mean 'stride'?"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3 stride=2\n classifier\n}",
            "line 4:18: [NR-DSL-104] unexpected '='; options take their value without '=' | help: write 'stride 2'"),
        row(
            "network n {\n input 3x8\n classes 2\n classifier\n}",
            "line 2:8: [NR-DSL-103] unexpected '3'; expected a shape | help: a shape is written CxHxW without spaces, e.g. 3x32x32"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3 @\n classifier\n}",
            "line 4:12: [NR-DSL-105] unexpected character '@'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3\n classifier\n",
            "line 6:1: [NR-DSL-101] unexpected end of file; expected <layer>, <name>, 'bn_gamma', 'classes', 'classifier_init', 'input' or '}'"),
        row(
            "network n \n input 3x8x8\n}",
            "line 2:2: [NR-DSL-101] unexpected 'input'; expected '{'"),
        row(
            "schedule s {\n epoch 3\n}",
            "line 2:2: [NR-DSL-102] unknown keyword 'epoch' | help: did you mean 'epochs'?"),
        row(
            "schedule s {\n epochs 3.5\n}",
            "line 2:9: [NR-DSL-101] unexpected '3.5'; expected <integer>"),
        row(
            "networks n {}",
            "line 1:1: [NR-DSL-102] unknown keyword 'networks' | help: did you mean 'network'?"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4\n classifier\n}",
            "line 4:2: [NR-DSL-310] conv has no kernel size | help: add one, e.g. 'k3' or 'kernel 3'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv (4 k3\n classifier\n}",
            "line 4:10: [NR-DSL-101] unexpected 'k3'; expected '%', ')', '*', '+', '-' or '/'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n foo(1)\n classifier\n}",
            "line 4:2: [NR-DSL-202] unknown block or layer kind 'foo'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv x k3\n classifier\n}",
            "line 4:7: [NR-DSL-203] unknown name 'x' in expression | help: only block parameters and 'channels' can be used here"),
        row(
            "block b(w) { conv w k3 }\nnetwork n {\n input 3x8x8\n classes 2\n b(1, 2)\n classifier\n}",
            "line 5:2: [NR-DSL-204] block 'b' takes 1 argument(s) but 2 were given | help: its parameters are (w)"),
        row(
            "block b(w) { conv w k3 }\nnetwork n {\n input 3x8x8\n classes 2\n b()\n classifier\n}",
            "line 5:2: [NR-DSL-206] missing argument 'w' for block 'b' | help: give it a value, or a default in the block's definition"),
        row(
            "block b(w) { conv w k3 }\nnetwork n {\n input 3x8x8\n classes 2\n b(width = 3)\n classifier\n}",
            "line 5:4: [NR-DSL-205] block 'b' has no parameter 'width' | help: its parameters are (w)"),
        row(
            "block b(w) { conv w k3 }\nnetwork n {\n input 3x8x8\n classes 2\n b(3, w = 3)\n classifier\n}",
            "line 5:2: [NR-DSL-204] block 'b' takes 1 argument(s) but 2 were given | help: its parameters are (w)"),
        row(
            "block b(w, w) { conv w k3 }\nnetwork n {\n input 3x8x8\n classes 2\n b(3)\n classifier\n}",
            "line 1:12: [NR-DSL-208] block 'b' declares parameter 'w' twice"),
        row(
            "block b(w) { c(w) }\nblock c(w) { b(w) }\nnetwork n {\n input 3x8x8\n classes 2\n b(3)\n classifier\n}",
            "line 2:14: [NR-DSL-209] recursive block: b -> c -> b | help: blocks cannot call themselves; use 'repeat'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n classifier\n}\nnetwork n {\n input 3x8x8\n classes 2\n classifier\n}",
            "line 6:9: [NR-DSL-201] duplicate network 'n' | help: the first one is at t.nr:1:9"),
        row(
            "network n {\n input 3x8x8\n classes 2\n a: conv 4 k3\n a: conv 4 k3\n classifier\n}",
            "line 5:5: [NR-DSL-210] duplicate layer name 'a' | help: layer names must be unique in a network; label this layer differently"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3 from foo\n classifier\n}",
            "line 4:17: [NR-DSL-211] no layer named 'foo' before this point"),
        row(
            "train n with s",
            "line 1:7: [NR-DSL-212] unknown network 'n'" + "\n"
            + "line 1:14: [NR-DSL-213] unknown schedule 's'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n classifier\n}\nschedule s { }\ntrain m with t",
            "line 7:7: [NR-DSL-212] unknown network 'm' | help: did you mean 'n'?" + "\n"
            + "line 7:14: [NR-DSL-213] unknown schedule 't' | help: did you mean 's'?"),
        row(
            "network n {\n input 3x4x4\n classes 2\n conv 4 k7 pad 0\n classifier\n}",
            "line 4:9: [NR-DSL-301] conv kernel 7 is larger than its padded input (4x4 with pad 0) at layer 'features.0' | help: use a smaller window or more padding"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 0 k3\n classifier\n}",
            "line 4:7: [NR-DSL-302] conv width must be at least 1, got 0"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3 stride 0\n classifier\n}",
            "line 4:19: [NR-DSL-302] stride must be at least 1, got 0"),
        row(
            "network n {\n input 0x8x8\n classes 2\n classifier\n}",
            "line 2:2: [NR-DSL-302] input channels must be at least 1, got 0"),
        row(
            "network n {\n input 3x8x8\n classes 0\n classifier\n}",
            "line 3:10: [NR-DSL-302] classes must be at least 1, got 0"),
        row(
            "network n {\n input 3x8x8\n classes 2\n residual { conv 4 k3 }\n classifier\n}",
            "line 4:2: [NR-DSL-303] channel mismatch at residual sum 'features.0': the branch gives 4x8x8, the shortcut 3x8x8 | help: add 'project' after 'residual' for a 1x1 projection shortcut, or give 'shortcut { ... }'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n residual { conv 3 k3 stride 2 }\n classifier\n}",
            "line 4:2: [NR-DSL-304] spatial mismatch at residual sum 'features.0': the branch gives 3x4x4, the shortcut 3x8x8 | help: add 'project' after 'residual' for a strided 1x1 projection shortcut"),
        row(
            "network n {\n input 3x8x8\n classes 2\n dense { conv 4 k3 stride 2 }\n classifier\n}",
            "line 4:2: [NR-DSL-305] spatial mismatch at concatenation 'features.0': 3x8x8 and 4x4x4 | help: concatenated inputs must have the same height and width; do not stride or pool inside 'dense'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n a: conv 4 k3\n b: maxpool 2\n concat a, b\n classifier\n}",
            "line 6:2: [NR-DSL-305] spatial mismatch at concatenation 'features.2': 4x8x8 and 4x4x4 | help: concatenated inputs must have the same height and width; do not stride or pool inside 'dense'"),
        row(
            "network n {\n classes 2\n classifier\n}",
            "line 1:9: [NR-DSL-306] network 'n' has no input shape | help: add 'input CxHxW', e.g. 'input 3x32x32'"),
        row(
            "network n {\n input 3x8x8\n classifier\n}",
            "line 1:9: [NR-DSL-307] network 'n' has no class count | help: add 'classes K', e.g. 'classes 10'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3\n}",
            "line 1:9: [NR-DSL-308] network 'n' does not end with a classifier | help: add 'classifier' as its last layer"),
        row(
            "network n {\n input 3x8x8\n classes 2\n classifier\n conv 4 k3\n}",
            "line 5:2: [NR-DSL-309] layer 'features.1' comes after the classifier | help: the classifier must be the network's last layer"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3\n conv 4 k3 input\n classifier\n}",
            "line 5:12: [NR-DSL-318] 'input' marks the conv that reads the image, but 'features.1' reads 'features.0'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 / 0 k3\n classifier\n}",
            "line 4:9: [NR-DSL-314] division by zero"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 99999999999 * 99999999999 k3\n classifier\n}",
            "line 4:19: [NR-DSL-315] integer overflow in expression"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3 k3\n classifier\n}",
            "line 4:12: [NR-DSL-216] option 'kernel' is given twice"),
        row(
            "network n {\n input 3x8x8\n classes 2\n maxpool 2 pad 2\n classifier\n}",
            "line 4:12: [NR-DSL-317] pool padding 2 is more than half the window 2 | help: use pad <= window/2"),
        row(
            "network n {\n input 3x8x8\n classes 2\n repeat 0 { conv 4 k3 }\n classifier\n}",
            "line 4:9: [NR-DSL-302] repeat count must be at least 1, got 0"),
        row(
            "network n {\n input 3x8x8\n classes 2\n residual { }\n classifier\n}",
            "line 4:2: [NR-DSL-312] empty residual branch | help: put at least one layer in it"),
        row(
            "network n {\n input 3x8x8\n input 3x8x8\n classes 2\n classifier\n}",
            "line 3:2: [NR-DSL-215] 'input' is set twice | help: the first one is at t.nr:2:2"),
        row(
            "network n {\n input 3x8x8\n classes 2\n bn_gamma -1\n classifier\n}",
            "line 4:11: [NR-DSL-401] bn_gamma must be a finite number > 0, got -1"),
        row(
            "network n {\n input 3x8x8\n classes 2\n classifier_init xavier\n classifier\n}",
            "line 4:18: [NR-DSL-214] unknown classifier_init 'xavier' | help: expected one of: normal, he"),
        row(
            "schedule s {\n sgd lr 0\n}",
            "line 2:9: [NR-DSL-401] lr must be > 0, got 0"),
        row(
            "schedule s {\n sgd lr 0.1 momentum 1\n}",
            "line 2:22: [NR-DSL-401] momentum must be in [0, 1), got 1"),
        row(
            "schedule s {\n sgd weight_decay -1e-4\n}",
            "line 2:19: [NR-DSL-401] weight_decay must be >= 0, got -1e-4"),
        row(
            "schedule s {\n epochs 0\n}",
            "line 2:9: [NR-DSL-401] epochs must be at least 1, got 0"),
        row(
            "schedule s {\n epochs 10\n lr_steps 5 3\n}",
            "line 3:2: [NR-DSL-402] lr_steps must be strictly increasing and below epochs (10), got 5 3"),
        row(
            "schedule s {\n epochs 10\n lr_steps 5 10\n}",
            "line 3:2: [NR-DSL-402] lr_steps must be strictly increasing and below epochs (10), got 5 10"),
        row(
            "schedule s {\n lr_steps 5 gamma 0\n}",
            "line 2:19: [NR-DSL-401] gamma must be in (0, 1], got 0"),
        row(
            "schedule s {\n rejuvenate { target 0 }\n}",
            "line 2:22: [NR-DSL-401] target must be in (0, 1], got 0"),
        row(
            "schedule s {\n rejuvenate { target 1.5 }\n}",
            "line 2:22: [NR-DSL-401] target must be in (0, 1], got 1.5"),
        row(
            "schedule s {\n rejuvenate { sparsity -1e-4 }\n}",
            "line 2:24: [NR-DSL-401] sparsity must be >= 0, got -1e-4"),
        row(
            "schedule s {\n rejuvenate { measure flop }\n}",
            "line 2:23: [NR-DSL-214] unknown measure 'flop' | help: expected one of: params, flops"),
        row(
            "schedule s {\n rejuvenate { expand cube }\n}",
            "line 2:22: [NR-DSL-214] unknown expand 'cube' | help: expected one of: sqrt, floor_sqrt"),
        row(
            "schedule s {\n rejuvenate { cross none }\n}",
            "line 2:21: [NR-DSL-214] unknown cross 'none' | help: expected one of: removed, attention"),
        row(
            "schedule s {\n rejuvenate { bn_restore 0.5 mode fixed }\n}",
            "line 2:35: [NR-DSL-101] unexpected 'fixed'; expected <name>"),
        row(
            "schedule s {\n rejuvenate { bn_restore 0.5 mode quirky }\n}",
            "line 2:35: [NR-DSL-214] unknown mode 'quirky' | help: expected one of: quirk, corrected"),
        row(
            "schedule s {\n rejuvenate { live_threshold 1 }\n}",
            "line 2:30: [NR-DSL-401] live_threshold must be in (0, 1), got 1"),
        row(
            "schedule s {\n rejuvenate { new_gamma 0 }\n}",
            "line 2:25: [NR-DSL-401] new_gamma must be > 0, got 0"),
        row(
            "schedule s {\n dataset cifar1O\n}",
            "line 2:10: [NR-DSL-214] unknown dataset 'cifar1O' | help: expected one of: mnist, cifar10, cifar100, imagenet"),
        row(
            "schedule s {\n precision fp16\n}",
            "line 2:12: [NR-DSL-214] unknown precision 'fp16' | help: expected one of: fp32, tf32"),
        row(
            "schedule s {\n normalize mean 0.5 0.5 std 0.2\n}",
            "line 2:12: [NR-DSL-403] normalize has 2 mean(s) but 1 std(s) | help: give one mean and one std per input channel"),
        row(
            "schedule s {\n normalize mean 0.5 std 0\n}",
            "line 2:25: [NR-DSL-401] std must be > 0, got 0"),
        row(
            "schedule s {\n epochs 3\n epochs 4\n}",
            "line 3:2: [NR-DSL-215] 'epochs' is set twice | help: the first one is at t.nr:2:2"),
        row(
            "schedule s {\n sgd lr 1e999\n}",
            "line 2:9: [NR-DSL-404] lr is not a finite number: 1e999"),
        row(
            "schedule s {\n rejuvenate { expand floor_sqrt target 0.5 }\n}",
            "line 2:15: [NR-DSL-405] with 'expand floor_sqrt' and target 0.5 the expand rate can be 1, which adds no neurons (spec 12 C3) | help: use a target of at most 0.25 with floor_sqrt"),
        row(
            "schedule s {\n batch 0\n}",
            "line 2:8: [NR-DSL-401] batch must be at least 1, got 0"),
        row(
            "schedule s {\n augment crop 0\n}",
            "line 2:15: [NR-DSL-401] crop must be at least 1, got 0"),
        row(
            "schedule s {\n rejuvenate { sparsity adaptive step -1 }\n}",
            "line 2:38: [NR-DSL-401] step must be >= 0, got -1"),
        row(
            "network n {\n input 3x8x8\n classes 2\n conv 4 k3\n relu from image\n add features.0, features.1\n classifier\n}",
            "line 6:2: [NR-DSL-303] channel mismatch at residual sum 'features.2': the branch gives 4x8x8, the shortcut 3x8x8 | help: add 'project' after 'residual' for a 1x1 projection shortcut, or give 'shortcut { ... }'"),
        row(
            "network n {\n input 3x8x8\n classes 2\n residual project { conv 4 k3 stride 3 }\n classifier\n}",
            "line 4:2: [NR-DSL-311] cannot project 3x8x8 onto 4x3x3 at residual sum 'features.0' with a strided 1x1 conv | help: give the shortcut explicitly with 'shortcut { ... }'"),
        row(
            "block b(w) { conv w * q k3 }\nnetwork n {\n input 3x8x8\n classes 2\n b(3)\n classifier\n}",
            "line 1:23: [NR-DSL-203] unknown name 'q' in expression | help: did you mean 'w'?"));  }

  @ParameterizedTest
  @MethodSource("table")
  void reportsExactDiagnostics(String source, String expected) {
    CompileResult r = NrCompiler.compile("t.nr", source);
    assertEquals(expected, describe(r.diagnostics()), source);
    boolean onlyWarnings = r.diagnostics().stream().allMatch(d -> d.severity() == Diagnostic.Severity.WARNING);
    assertEquals(onlyWarnings, r.ok(), "a module comes back exactly when there is no error");
  }

  static String describe(List<Diagnostic> diagnostics) {
    return diagnostics.stream()
        .map(
            d ->
                "line " + d.location().line() + ":" + d.location().column() + ": [" + d.code() + "] "
                    + d.message() + (d.help() == null ? "" : " | help: " + d.help()))
        .collect(Collectors.joining("\n"));
  }

  @Test
  void tableHasAtLeastFortyRowsAndCoversEveryErrorGroup() {
    List<Arguments> rows = table().toList();
    assertTrue(rows.size() >= 40, "rows: " + rows.size());
    for (String group : List.of("[NR-DSL-1", "[NR-DSL-2", "[NR-DSL-3", "[NR-DSL-4")) {
      assertTrue(rows.stream().anyMatch(a -> ((String) a.get()[1]).contains(group)), group);
    }
  }

  @Test
  void reportsErrorsOfEveryDefinitionAtOnce() {
    String source =
        """
        network a {
          input 3x8x8
          classes 2
          conv 4 k3
          residual { conv 8 k3 }
          classifier
        }
        network b {
          input 3x8x8
          classes 2
          foo(3)
          classifier
        }
        schedule s {
          sgd lr -1
          rejuvenate { target 2 }
        }
        train c with s
        """;
    assertEquals(
        """
        line 5:3: [NR-DSL-303] channel mismatch at residual sum 'features.1': the branch gives 8x8x8, the shortcut 4x8x8 | help: add 'project' after 'residual' for a 1x1 projection shortcut, or give 'shortcut { ... }'
        line 11:3: [NR-DSL-202] unknown block or layer kind 'foo'
        line 15:10: [NR-DSL-401] lr must be > 0, got -1
        line 16:23: [NR-DSL-401] target must be in (0, 1], got 2
        line 18:7: [NR-DSL-212] unknown network 'c' | help: did you mean 'a'?""",
        describe(NrCompiler.compile("t.nr", source).diagnostics()));
  }

  @Test
  void reportsTheFirstSyntaxErrorOfEveryDefinition() {
    String source =
        """
        network n {
          input 3x8x8
          classes 2
          convv 4 k3
          classifier
        }
        schedule s { epoch 3 }
        block b( { }
        network m { input 3x8 }
        schedule ok { epochs 3 }
        train a with
        """;
    assertEquals(
        """
        line 4:3: [NR-DSL-106] unknown layer kind 'convv' | help: did you mean 'conv'?
        line 7:14: [NR-DSL-102] unknown keyword 'epoch' | help: did you mean 'epochs'?
        line 8:10: [NR-DSL-101] unexpected '{'; expected <name> or ')'
        line 9:19: [NR-DSL-103] unexpected '3'; expected a shape | help: a shape is written CxHxW without spaces, e.g. 3x32x32
        line 12:1: [NR-DSL-101] unexpected end of file; expected <name>""",
        describe(NrCompiler.compile("t.nr", source).diagnostics()));
  }

  @Test
  void rendersCaretUnderTheColumnAndTheRemedy() {
    String source = "network n {\n\tinput 3x8x8\n  classes 2\n  convv 4 k3\n  classifier\n}\n";
    Diagnostic d = NrCompiler.compile("m.nr", source).diagnostics().getFirst();
    assertEquals(
        """
        m.nr:4:3: error: [NR-DSL-106] unknown layer kind 'convv'
          convv 4 k3
          ^
        help: did you mean 'conv'?
        """,
        DiagnosticRenderer.render(d, source));
  }

  @Test
  void pathologicalInputsEndQuicklyWithDiagnostics() {
    List<String> inputs =
        List.of(
            "network n { input 3x8x8 classes 2 conv " + "(".repeat(3000) + "0" + ")".repeat(3000) + " k1 classifier }",
            "network n { input 3x8x8 classes 2 repeat 100000 { repeat 100000 { } } classifier }",
            "network n { input 3x8x8 classes 2 repeat 1000 { repeat 1000 { relu } } classifier }",
            "network n { input 3x8x8 classes 2 repeat 99999999999999999999 { relu } classifier }",
            "network n { input 99999999999999999999x8x8 classes 2 classifier }",
            "block b() { b() }\nnetwork n { input 3x8x8 classes 2 b() classifier }",
            "{".repeat(5000),
            "schedule s { epochs 99999999999999999999 lr_steps 99999999999999999999 }");
    for (String input : inputs) {
      List<Diagnostic> d =
          assertTimeoutPreemptively(Duration.ofSeconds(5), () -> NrCompiler.compile("p.nr", input).diagnostics());
      assertTrue(!d.isEmpty(), () -> input.substring(0, Math.min(80, input.length())));
      assertTrue(d.stream().noneMatch(x -> x.code().equals("NR-DSL-901")), () -> describe(d));
    }
  }
}
