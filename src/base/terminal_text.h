// SPDX-License-Identifier: Apache-2.0
#pragma once
// Untrusted text (comm, command lines, cgroup paths, container names, file contents) made safe for
// a terminal, and measured, cut and padded in terminal columns instead of bytes.
//
// Escapes (procleak(1), "Names from processes"): a byte that is not part of well-formed UTF-8
// and a C0 control or DEL are written \xNN (newline and tab as \n and \t); a C1 control
// (U+0080-U+009F), a format character (Unicode category Cf: the bidi embeddings, overrides,
// isolates and marks, zero-width spaces and joiners, U+FEFF, soft hyphen) and the line and
// paragraph separators U+2028 and U+2029 are written as their code point, \u202e (\U000e0001
// above U+FFFF). Every other character passes, backslash included: the result is for reading,
// not for decoding back (JSON output is the lossless form). Sanitising twice changes nothing.
//
// Widths come from utf8proc's tables (Unicode 15 in utf8proc 2.8): East Asian wide and
// fullwidth characters take 2 columns, combining marks 0, others 1. Cuts fall between grapheme
// clusters (utf8proc's grapheme breaks), so neither a character nor a base and its combining
// marks are ever split, nor an escape in text sanitised before.

#include <cstddef>
#include <string>
#include <string_view>

namespace procleak {

// The length of the well-formed UTF-8 sequence at text[i] (Unicode 15, table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF), 0 if none starts there.
size_t Utf8SequenceLength(std::string_view text, size_t i);

// `text` with every character that could change a terminal or disguise text escaped, as above.
std::string SanitizeForTerminal(std::string_view text);

// Terminal columns `text` takes once sanitised: for text that is not yet, an escaped character
// counts the columns of its escape, so DisplayWidth(t) == DisplayWidth(SanitizeForTerminal(t)).
size_t DisplayWidth(std::string_view text);

// The longest prefix of whole grapheme clusters at most `width` columns wide.
std::string_view TruncateToWidth(std::string_view text, size_t width);

// The longest prefix of whole grapheme clusters at most `max_bytes` bytes long.
std::string_view TruncateToBytes(std::string_view text, size_t max_bytes);

// Cuts `text` to at most `width` columns, ending in "~" when cut.
std::string ShortenEnd(std::string_view text, size_t width);

// Cuts `text` to at most `width` columns, keeping both ends around a "~" (long cgroup paths
// differ in their tails).
std::string ShortenMiddle(std::string_view text, size_t width);

// `text` and spaces up to `width` columns (left-aligned); as it is when already wider. Cut
// first, pad second, colour last: then a column never moves.
std::string PadEnd(std::string_view text, size_t width);

// Spaces and `text` up to `width` columns (right-aligned).
std::string PadStart(std::string_view text, size_t width);

// A left-aligned column of exactly `width` columns: ShortenEnd, then PadEnd.
std::string FitColumn(std::string_view text, size_t width);

}  // namespace procleak
