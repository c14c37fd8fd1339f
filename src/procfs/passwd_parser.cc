// SPDX-License-Identifier: Apache-2.0
#include "procfs/passwd_parser.h"

#include <charconv>

namespace procleak {

std::optional<uint32_t> UidOfUser(std::string_view passwd, std::string_view name) {
  if (name.empty()) return std::nullopt;
  while (!passwd.empty()) {
    const size_t end = passwd.find('\n');
    std::string_view line = passwd.substr(0, end);
    passwd = end == std::string_view::npos ? std::string_view() : passwd.substr(end + 1);
    if (line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
    const size_t name_end = line.find(':');
    if (name_end == std::string_view::npos || line.substr(0, name_end) != name) continue;
    const size_t password_end = line.find(':', name_end + 1);
    if (password_end == std::string_view::npos) continue;
    std::string_view uid_text = line.substr(password_end + 1);
    uid_text = uid_text.substr(0, uid_text.find(':'));
    uint32_t uid = 0;
    const auto [ptr, ec] = std::from_chars(uid_text.data(), uid_text.data() + uid_text.size(), uid);
    // (uid_t)-1 is "no user" to the kernel (setresuid's "unchanged").
    if (uid_text.empty() || ec != std::errc() || ptr != uid_text.data() + uid_text.size() ||
        uid == UINT32_MAX) {
      continue;
    }
    return uid;
  }
  return std::nullopt;
}

}  // namespace procleak
