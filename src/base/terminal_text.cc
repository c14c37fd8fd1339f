// SPDX-License-Identifier: Apache-2.0
#include "base/terminal_text.h"

#include <algorithm>
#include <vector>

#include "utf8proc.h"

namespace procleak {
namespace {

// Most names are printable ASCII: one column a byte, nothing to escape.
bool PrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
}

// ... and without a backslash, every byte is a cluster of its own, cut anywhere.
bool CutAnywhere(std::string_view text) {
  return PrintableAscii(text) && text.find('\\') == std::string_view::npos;
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The length of the escape SanitizeForTerminal writes that starts at text[i] (\n, \t, \xNN,
// \uNNNN, \UNNNNNNNN), 0 if none. A cut treats it as the one character it stands for.
size_t EscapeLength(std::string_view text, size_t i) {
  if (i + 1 >= text.size() || text[i] != '\\') return 0;
  const char kind = text[i + 1];
  if (kind == 'n' || kind == 't') return 2;
  const size_t digits = kind == 'x' ? 2 : kind == 'u' ? 4 : kind == 'U' ? 8 : 0;
  if (digits == 0 || i + 2 + digits > text.size()) return 0;
  for (size_t k = 0; k < digits; ++k) {
    if (!IsHex(text[i + 2 + k])) return 0;
  }
  return 2 + digits;
}

char32_t Decode(std::string_view text, size_t i, size_t n) {
  auto at = [&](size_t k) {
    return static_cast<char32_t>(static_cast<unsigned char>(text[i + k]));
  };
  switch (n) {
    case 1:
      return at(0);
    case 2:
      return (at(0) & 0x1F) << 6 | (at(1) & 0x3F);
    case 3:
      return (at(0) & 0x0F) << 12 | (at(1) & 0x3F) << 6 | (at(2) & 0x3F);
    default:
      return (at(0) & 0x07) << 18 | (at(1) & 0x3F) << 12 | (at(2) & 0x3F) << 6 | (at(3) & 0x3F);
  }
}

// Whether a character is written as an escape: C0, DEL, C1, Cf, U+2028 and U+2029.
bool Escaped(char32_t c) {
  if (c < 0x20 || c == 0x7F) return true;
  if (c < 0x80) return false;
  if (c <= 0x9F || c == 0x2028 || c == 0x2029) return true;
  return utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_CF;
}

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(char32_t value, int digits, std::string* out) {
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
    out->push_back(kHex[value >> shift & 15]);
}

// The escape of a byte that starts no well-formed sequence: \xNN.
void AppendByteEscape(unsigned char byte, std::string* out) {
  out->append("\\x");
  AppendHex(byte, 2, out);
}

// The escape of an Escaped() character: \n, \t, \xNN, \uNNNN or \UNNNNNNNN.
void AppendEscape(char32_t c, std::string* out) {
  if (c == '\n') {
    out->append("\\n");
  } else if (c == '\t') {
    out->append("\\t");
  } else if (c < 0x80) {
    AppendByteEscape(static_cast<unsigned char>(c), out);
  } else if (c <= 0xFFFF) {
    out->append("\\u");
    AppendHex(c, 4, out);
  } else {
    out->append("\\U");
    AppendHex(c, 8, out);
  }
}

size_t EscapeWidth(char32_t c) {
  return c == '\n' || c == '\t' ? 2 : c < 0x80 ? 4 : c <= 0xFFFF ? 6 : 10;
}

// A piece of text as a terminal shows it: one byte that starts no well-formed sequence, or one
// character.
struct Unit {
  size_t size;   // bytes
  size_t width;  // columns, of its escape when escaped
  char32_t c;    // the character; unused when invalid
  bool invalid;  // a byte that starts no well-formed sequence
  bool escaped;  // invalid, or Escaped(c)
  bool starts_cluster;
};

// Calls visit(offset, unit) for each unit of `text` in order.
template <typename Visit>
void ForEachUnit(std::string_view text, Visit visit) {
  utf8proc_int32_t state = 0;
  char32_t previous = 0;
  bool in_cluster = false;  // whether `previous` is a character a mark could still join
  for (size_t i = 0; i < text.size();) {
    if (const size_t escape = EscapeLength(text, i); escape > 0) {
      // Text sanitised before: an escape is one cluster, as the character it stands for was.
      visit(i, Unit{escape, escape, 0, false, false, true});
      in_cluster = false;
      i += escape;
      continue;
    }
    const size_t n = Utf8SequenceLength(text, i);
    Unit u{};
    if (n == 0) {
      u = {1, 4, 0, true, true, true};
    } else {
      u.size = n;
      u.c = Decode(text, i, n);
      u.escaped = Escaped(u.c);
    }
    if (u.escaped) {
      // An escape is a cluster of its own: nothing joins it, it joins nothing.
      if (!u.invalid) u.width = EscapeWidth(u.c);
      u.starts_cluster = true;
      in_cluster = false;
    } else {
      const auto c = static_cast<utf8proc_int32_t>(u.c);
      if (!in_cluster) state = 0;
      u.starts_cluster = !in_cluster || utf8proc_grapheme_break_stateful(
                                            static_cast<utf8proc_int32_t>(previous), c, &state);
      u.width = static_cast<size_t>(std::max(0, utf8proc_charwidth(c)));
      previous = u.c;
      in_cluster = true;
    }
    visit(i, u);
    i += u.size;
  }
}

// Calls visit(offset, size, width) for each grapheme cluster of `text` until it returns false.
template <typename Visit>
void ForEachCluster(std::string_view text, Visit visit) {
  size_t start = 0, size = 0, width = 0;
  bool go = true;
  ForEachUnit(text, [&](size_t offset, const Unit& u) {
    if (!go) return;
    if (u.starts_cluster && size > 0) {
      go = visit(start, size, width);
      start = offset;
      size = width = 0;
    }
    size += u.size;
    width += u.width;
  });
  if (go && size > 0) visit(start, size, width);
}

// The longest suffix of whole grapheme clusters at most `width` columns wide.
std::string_view TruncateStartToWidth(std::string_view text, size_t width) {
  if (CutAnywhere(text)) return text.substr(text.size() - std::min(width, text.size()));
  std::vector<std::pair<size_t, size_t>> clusters;  // (offset, width)
  ForEachCluster(text, [&](size_t offset, size_t, size_t w) {
    clusters.emplace_back(offset, w);
    return true;
  });
  size_t start = text.size(), used = 0;
  for (auto it = clusters.rbegin(); it != clusters.rend() && used + it->second <= width; ++it) {
    used += it->second;
    start = it->first;
  }
  return text.substr(start);
}

std::string Padding(std::string_view text, size_t width) {
  const size_t used = DisplayWidth(text);
  return std::string(width > used ? width - used : 0, ' ');
}

}  // namespace

size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto at = [&](size_t k) -> unsigned {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
  };
  auto continuation = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return at(k) >= lo && at(k) <= hi;
  };
  const unsigned c = at(0);
  if (i < text.size() && c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return continuation(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return continuation(1, lo, hi) && continuation(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return continuation(1, lo, hi) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

std::string SanitizeForTerminal(std::string_view text) {
  if (PrintableAscii(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  ForEachUnit(text, [&](size_t offset, const Unit& u) {
    if (u.invalid) {
      AppendByteEscape(static_cast<unsigned char>(text[offset]), &out);
    } else if (u.escaped) {
      AppendEscape(u.c, &out);
    } else {
      out.append(text.substr(offset, u.size));
    }
  });
  return out;
}

size_t DisplayWidth(std::string_view text) {
  if (PrintableAscii(text)) return text.size();
  size_t width = 0;
  ForEachUnit(text, [&](size_t, const Unit& u) { width += u.width; });
  return width;
}

std::string_view TruncateToWidth(std::string_view text, size_t width) {
  if (CutAnywhere(text)) return text.substr(0, width);
  size_t end = 0, used = 0;
  ForEachCluster(text, [&](size_t offset, size_t size, size_t w) {
    if (used + w > width) return false;
    used += w;
    end = offset + size;
    return true;
  });
  return text.substr(0, end);
}

std::string_view TruncateToBytes(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  if (CutAnywhere(text.substr(0, max_bytes + 1))) return text.substr(0, max_bytes);
  size_t end = 0;
  ForEachCluster(text, [&](size_t offset, size_t size, size_t) {
    if (offset + size > max_bytes) return false;
    end = offset + size;
    return true;
  });
  return text.substr(0, end);
}

std::string ShortenEnd(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return {};
  std::string out(TruncateToWidth(text, width - 1));
  out.push_back('~');
  return out;
}

std::string ShortenMiddle(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width < 3) return std::string(TruncateToWidth(text, width));
  const size_t tail_width = (width - 1) / 2;
  const std::string_view head = TruncateToWidth(text, width - 1 - tail_width);
  // The tail takes what the head left (a wide character that did not fit), and never overlaps it.
  const std::string_view tail =
      TruncateStartToWidth(text.substr(head.size()), width - 1 - DisplayWidth(head));
  std::string out;
  out.reserve(head.size() + 1 + tail.size());
  out.append(head);
  out.push_back('~');
  out.append(tail);
  return out;
}

std::string PadEnd(std::string_view text, size_t width) {
  return std::string(text) + Padding(text, width);
}

std::string PadStart(std::string_view text, size_t width) {
  return Padding(text, width) + std::string(text);
}

std::string FitColumn(std::string_view text, size_t width) {
  return PadEnd(ShortenEnd(text, width), width);
}

}  // namespace procleak
