// SPDX-License-Identifier: Apache-2.0
#include "cgroupfs/mountinfo_parser.h"

#include <charconv>

#include "base/keyed_values.h"
#include "fmt/format.h"

namespace procleak {
namespace {

// Splits `line` at single spaces (mountinfo never has empty fields: paths are escaped).
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  while (!line.empty()) {
    size_t space = line.find(' ');
    if (space != 0) fields.push_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return fields;
}

bool ParseInt(std::string_view token, int* out) {
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), *out);
  return ec == std::errc() && ptr == token.data() + token.size();
}

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

absl::Status LineError(int line_no, std::string_view what) {
  return absl::InvalidArgumentError(fmt::format("line {}: {}", line_no, what));
}

}  // namespace

std::string DecodeMountField(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && IsOctal(field[i + 1]) &&
        IsOctal(field[i + 2]) && IsOctal(field[i + 3])) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                      (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

absl::StatusOr<std::vector<MountInfo>> ParseMountInfo(std::string_view text) {
  std::vector<MountInfo> mounts;
  int line_no = 0;
  std::string_view line;
  while (NextLine(&text, &line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    std::vector<std::string_view> fields = Fields(line);
    size_t dash = 6;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (fields.size() < 6) return LineError(line_no, "too few fields");
    if (dash >= fields.size()) return LineError(line_no, "no ' - ' separator");
    if (fields.size() < dash + 3) return LineError(line_no, "too few fields after ' - '");
    MountInfo mount;
    if (!ParseInt(fields[0], &mount.mount_id)) return LineError(line_no, "bad mount id");
    if (!ParseInt(fields[1], &mount.parent_id)) return LineError(line_no, "bad parent id");
    mount.root = DecodeMountField(fields[3]);
    mount.mount_point = DecodeMountField(fields[4]);
    mount.fstype = std::string(fields[dash + 1]);
    mount.source = DecodeMountField(fields[dash + 2]);
    if (fields.size() > dash + 3) mount.super_options = std::string(fields[dash + 3]);
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

}  // namespace procleak
