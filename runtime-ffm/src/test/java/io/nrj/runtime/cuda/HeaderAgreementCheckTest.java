package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nrj.runtime.cuda.cheader.CDeclarationScanner;
import io.nrj.runtime.cuda.cheader.CModel;
import io.nrj.runtime.cuda.cheader.CPreprocessor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agreement check on a small header and a declaration file with one mistake of each kind. */
class HeaderAgreementCheckTest {
  private static final String HEADER =
      """
      #define CUBLASWINAPI
      #define CUDNN_DEPRECATED __attribute__((deprecated))
      #define FLAG_B 0x02
      typedef enum { ST_OK = 0, ST_BAD = 3 } status_t;
      typedef struct handle_st *handle_t;
      typedef struct { int algo; status_t status; float time; size_t memory; int reserved[3]; } perf_t;
      CUDNN_DEPRECATED status_t CUBLASWINAPI copy_v2(handle_t h, void *dst,
                                                    size_t count, double scale);
      #define copy copy_v2
      status_t CUBLASWINAPI find(handle_t h, const int requested, int *returned, perf_t *results);
      """;

  private static HeaderAgreement check(String decl) {
    CModel header = CDeclarationScanner.scan(CPreprocessor.runText("lib.h", HEADER, List.of()));
    return new HeaderAgreement("lib.decl", HeaderAgreement.parseDecl("lib.decl", decl), header);
  }

  @Test
  void agreeingDeclarationsGiveNoMismatch() {
    var c =
        check(
            """
            library lib liblib.so.1
            typedef int status_t;
            typedef void* handle_t;
            enum status_t { ST_OK = 0, ST_BAD = 3, FLAG_B = 2, };
            struct perf_t { int algo; status_t status; float time; size_t memory; int reserved[3]; };
            status_t copy_v2(handle_t h, void* dst, size_t count, double scale);  # the exported name
            status_t find(handle_t h, const int requested, int* returned, perf_t* results);
            """);
    assertEquals(List.of(), c.functions());
    assertEquals(List.of(), c.constants());
    assertEquals(List.of(), c.structs());
    assertEquals(List.of(), c.typedefs());
  }

  @Test
  void namesEachMismatchWithBothSides() {
    var c =
        check(
            """
            library lib liblib.so.1
            typedef int status_t;
            typedef long long handle_t;
            enum status_t { ST_OK = 0, ST_BAD = 4, FLAG_B = 2, ST_GONE = 9, };
            struct perf_t { int algo; status_t status; float time; int memory; int reserved[2]; };
            status_t copy_v2(handle_t h, void* src, int count, float scale);
            status_t copy(void* h, void* dst, size_t count, double scale);
            status_t find(void* h, int requested, int* returned);
            status_t lost(void);
            """);
    assertEquals(
        List.of(
            "copy_v2 parameter #1 (h): declared 'handle_t' (64-bit int), header lib.h:7 has"
                + " 'handle_t h' (pointer)",
            "copy_v2 parameter #2: declared name 'src', header lib.h:7 names it 'dst' (parameters"
                + " out of order?)",
            "copy_v2 parameter #3 (count): declared 'int' (32-bit int), header lib.h:8 has 'size_t"
                + " count' (64-bit int)",
            "copy_v2 parameter #4 (scale): declared 'float' (float), header lib.h:8 has 'double"
                + " scale' (double)",
            "copy: the headers #define copy as copy_v2; bind the exported symbol copy_v2 instead",
            "find: 3 parameters declared, header lib.h:10 has 4 (handle_t h, const int requested,"
                + " int* returned, perf_t* results)",
            "lost: no prototype in the headers"),
        c.functions());
    assertEquals(
        List.of(
            "ST_BAD: declared 4, header has 3 (enum <anon lib.h:4> at lib.h:4)",
            "ST_GONE: not in the headers (neither an enumerator nor a #define)"),
        c.constants());
    assertEquals(
        List.of(
            "struct perf_t field #4: declared 'memory' 32-bit int at offset 12, header has 'memory'"
                + " 64-bit int at offset 16",
            "struct perf_t field #5: declared 'reserved' 32-bit int[2] at offset 16, header has"
                + " 'reserved' 32-bit int[3] at offset 24",
            "struct perf_t: declared size 24 bytes, header's is 40"),
        c.structs());
    assertEquals(
        List.of(
            "typedef handle_t: declared 'long long' (64-bit int), header lib.h:5 has 'struct"
                + " handle_st*' (pointer)"),
        c.typedefs());
  }
}
