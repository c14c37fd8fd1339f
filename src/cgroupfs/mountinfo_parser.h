// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for /proc/PID/mountinfo (man 5 proc_pid_mountinfo).

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace procleak {

struct MountInfo {
  int mount_id = 0;
  int parent_id = 0;
  std::string root;         // field 4, octal escapes (\040 ...) decoded
  std::string mount_point;  // field 5, decoded
  std::string fstype;       // after the lone "-" separator
  std::string source;
  std::string super_options;  // e.g. "rw,memory" or "rw,name=systemd"
};

// Optional fields (any number) before " - " are skipped. Errors name the line:
// "line 4: no ' - ' separator".
absl::StatusOr<std::vector<MountInfo>> ParseMountInfo(std::string_view text);

// Decodes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash).
std::string DecodeMountField(std::string_view field);

}  // namespace procleak
