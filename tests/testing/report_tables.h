// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: the rows of a table of procleak's text report, read back from the text.

#include <string>
#include <string_view>
#include <vector>

#include "testing/run_procleak.h"  // Lines

namespace procleak::testing {

// `line` split at runs of spaces.
inline std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> words;
  size_t i = 0;
  while ((i = line.find_first_not_of(' ', i)) != std::string::npos) {
    const size_t end = line.find(' ', i);
    words.push_back(line.substr(i, end - i));
    i = end == std::string::npos ? line.size() : end;
  }
  return words;
}

// The first (or, with `last`, the last) word of each row of the table whose header line contains
// `header`, up to the blank line that ends it; "+" for its "(+N more ...)" line. Empty when no
// line has `header`.
inline std::vector<std::string> TableColumn(const std::string& text, std::string_view header,
                                            bool last = false) {
  std::vector<std::string> out;
  bool in = false;
  for (const std::string& line : Lines(text)) {
    if (!in) {
      in = line.find(header) != std::string::npos;
      continue;
    }
    const std::vector<std::string> words = Words(line);
    if (words.empty()) break;
    out.push_back(words[0].rfind("(+", 0) == 0 ? "+" : last ? words.back() : words[0]);
  }
  return out;
}

// The PID column of the processes table, the CONTAINER column, the CGROUP column.
inline std::vector<std::string> ProcessRows(const std::string& text) {
  return TableColumn(text, "  COMMAND");
}
inline std::vector<std::string> ContainerRows(const std::string& text) {
  return TableColumn(text, "CONTAINER ");
}
inline std::vector<std::string> CgroupRows(const std::string& text) {
  return TableColumn(text, "  CGROUP", true);
}

}  // namespace procleak::testing
