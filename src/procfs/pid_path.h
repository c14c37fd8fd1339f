// SPDX-License-Identifier: Apache-2.0
#pragma once
// "PID" and "PID/NAME" relative to a /proc directory, built in a buffer of their own: no
// allocation per process or file on the scanner's path.

#include <charconv>
#include <cstring>
#include <string_view>

#include "absl/status/status.h"
#include "fmt/format.h"

namespace procleak {

class PidPath {
 public:
  explicit PidPath(int pid) {
    auto [end, ec] = std::to_chars(path_, path_ + 16, pid);
    length_ = ec == std::errc() && pid > 0 ? static_cast<size_t>(end - path_) : 0;
  }
  // False for a pid of 0 or below: BadPid() is the error.
  bool valid() const { return length_ > 0; }
  std::string_view pid() const { return {path_, length_}; }
  const char* Dir() {  // "PID"
    path_[length_] = '\0';
    return path_;
  }
  const char* File(const char* name) {  // "PID/NAME"
    path_[length_] = '/';
    std::strncpy(path_ + length_ + 1, name, sizeof(path_) - length_ - 2);
    return path_;
  }

 private:
  char path_[48] = {};
  size_t length_ = 0;
};

inline absl::Status BadPid(std::string_view proc_path, int pid) {
  return absl::InvalidArgumentError(fmt::format("{}: bad pid {}", proc_path, pid));
}

}  // namespace procleak
