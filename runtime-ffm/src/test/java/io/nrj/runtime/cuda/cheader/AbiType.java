package io.nrj.runtime.cuda.cheader;

import java.util.List;

/**
 * How a C type is passed and laid out on x86-64 Linux (System V, LP64): what a binding must get
 * right. Signedness and pointee types are deliberately not part of it; the FFM linker cannot see
 * them either.
 */
public sealed interface AbiType {

  /** Size in bytes. */
  long size();

  /** Alignment in bytes. */
  long align();

  /** Human text for messages, e.g. "32-bit int". */
  String describe();

  /** Whether a value of this type travels the same way as one of {@code other}. */
  boolean sameAbi(AbiType other);

  /** Register-sized scalars. */
  enum Scalar implements AbiType {
    POINTER("pointer", 8),
    INT8("8-bit int", 1),
    INT16("16-bit int", 2),
    INT32("32-bit int", 4),
    INT64("64-bit int", 8),
    FLOAT("float", 4),
    DOUBLE("double", 8);

    private final String text;
    private final int bytes;

    Scalar(String text, int bytes) {
      this.text = text;
      this.bytes = bytes;
    }

    @Override
    public long size() {
      return bytes;
    }

    @Override
    public long align() {
      return bytes;
    }

    @Override
    public String describe() {
      return text;
    }

    @Override
    public boolean sameAbi(AbiType other) {
      return other == this;
    }
  }

  /** {@code void}, only as a return type. */
  enum Void implements AbiType {
    VOID;

    @Override
    public long size() {
      return 0;
    }

    @Override
    public long align() {
      return 1;
    }

    @Override
    public String describe() {
      return "void";
    }

    @Override
    public boolean sameAbi(AbiType other) {
      return other == VOID;
    }
  }

  /**
   * One field at its byte offset; {@code count} is 1 for a scalar field, the length for an array.
   */
  record Field(String name, AbiType type, long count, long offset) {
    String describe() {
      return type.describe() + " " + name + (count != 1 ? "[" + count + "]" : "") + " @" + offset;
    }
  }

  /** A struct or union with its computed layout. */
  record Struct(String name, boolean union, List<Field> fields, long size, long align)
      implements AbiType {
    @Override
    public String describe() {
      return (union ? "union " : "struct ") + name + " (" + size + " bytes)";
    }

    /** Same size, and field by field the same types, counts and offsets (names may differ). */
    @Override
    public boolean sameAbi(AbiType other) {
      if (!(other instanceof Struct s) || s.size != size || s.fields.size() != fields.size()) {
        return false;
      }
      for (int i = 0; i < fields.size(); i++) {
        Field a = fields.get(i);
        Field b = s.fields.get(i);
        if (!a.type().sameAbi(b.type()) || a.count() != b.count() || a.offset() != b.offset()) {
          return false;
        }
      }
      return true;
    }
  }
}
