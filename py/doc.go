// Package py models the Python 3.11 values that csock hands around, so that
// Go code can build, print and compare them exactly as CPython's socket
// module would.
//
// # Value conventions
//
// A Python value is held in a Go `any` as follows:
//
//   - None is nil.
//   - bool is Go bool.
//   - int is any Go integer kind (int, int8 … int64, uint … uint64, uintptr)
//     or *big.Int. Results computed by csock are normalised by [Int]: a Go
//     int when the value fits, a *big.Int otherwise.
//   - float is float64 (float32 is accepted and read as float).
//   - str is Go string, in "generalised UTF-8" (see below).
//   - bytes is []byte.
//   - tuple is [Tuple], list is [List].
//   - Any other Python type is a Go type that names itself through
//     PyTypeName() and prints itself through PyRepr() (and optionally
//     PyStr()); ints that are not plain ints (IntEnum, IntFlag members)
//     implement [Indexer].
//
// # Strings
//
// A Python str may hold any code point, including lone surrogates, while a
// Go string is a sequence of bytes. A Go string s is read as a Python str
// by these rules (see [Runes]):
//
//   - valid UTF-8 sequences are their code points;
//   - the 3-byte sequences ED A0 80 … ED BF BF, which strict UTF-8 rejects,
//     are the lone surrogates U+D800 … U+DFFF;
//   - any other byte b that does not start a valid sequence (b ≥ 0x80) is
//     the code point U+DC00+b, the way Python's "surrogateescape" error
//     handler maps undecodable bytes. Raw non-UTF-8 bytes from the
//     operating system therefore read like Python's file-system decoding.
//
// [FromRunes] and [FSDecode] always produce the canonical form, in which
// every code point, surrogates included, is written as its (generalised)
// UTF-8 sequence and no stray byte remains. Two Go strings denote the same
// Python str exactly when their [Canonical] forms are equal.
//
// Indexes and lengths that Python would report (for example the positions
// in a UnicodeEncodeError) count code points, not bytes.
//
// # Exceptions
//
// A Python exception raised by csock is a Go error implementing
// [Exception]; [FormatException] renders it as the last line of CPython's
// traceback. [Error] is the plain implementation.
package py
