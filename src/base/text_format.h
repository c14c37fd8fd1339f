// SPDX-License-Identifier: Apache-2.0
#pragma once
// Formatting helpers for sizes, times and command lines, shared by analysis and render.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "base/terminal_text.h"  // SanitizeForTerminal, ShortenEnd, ShortenMiddle

namespace procleak {

// IEC units with one decimal above KiB: "512 B", "1.5 KiB", "12.0 MiB", "3.2 GiB".
std::string FormatBytes(uint64_t bytes);

// RFC 3339 in UTC; fractional seconds only when non-zero: "2026-11-20T08:00:12.34Z".
std::string FormatRfc3339(absl::Time time);

// Eight hexadecimal digits of a 32-bit FNV-1a hash of `text`: the same in every run and build.
std::string ShortHash(std::string_view text);

// ShortHash of a text fed in pieces, without holding it: Add(a), Add(b) then Hex() is
// ShortHash(a + b).
class ShortHasher {
 public:
  void Add(std::string_view piece) {
    for (unsigned char c : piece) hash_ = (hash_ ^ c) * 16777619u;
  }
  std::string Hex() const;

 private:
  uint32_t hash_ = 2166136261u;
};

// `text` itself when it holds at most `max_bytes` bytes (at least 32). Else its start, cut at a
// UTF-8 character boundary, then " ... #" and ShortHash(text): `max_bytes` bytes in all, and
// two long texts that differ anywhere still differ once bounded (bar a 1 in 2^32 collision).
std::string BoundText(std::string_view text, size_t max_bytes);

// A container id as people and runtimes show it: its first 12 characters (Docker's short id).
inline std::string_view ShortId(std::string_view id) { return id.substr(0, 12); }

// A container's name, or its short id when it has none.
inline std::string NameOrShortId(std::string_view name, std::string_view id) {
  return std::string(name.empty() ? ShortId(id) : name);
}

// `text` as one word for a POSIX shell: as it is when it holds only [A-Za-z0-9@%+=:,./_-] (and
// is not empty), else in single quotes, each ' written '\''. For the commands procleak suggests,
// which root may paste: a cgroup path or unit name cannot run anything.
std::string ShellQuote(std::string_view text);

// argv joined by spaces, or "[comm]" for a process without one (kernel threads, zombies), as ps.
std::string CommandLine(const std::vector<std::string>& argv, std::string_view comm);

}  // namespace procleak
