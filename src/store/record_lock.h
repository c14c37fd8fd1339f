// SPDX-License-Identifier: Apache-2.0
#pragma once
// The lock a writer holds on a record while it appends (procleak-record(5), WRITERS AND READERS):
// an exclusive flock(2), so that a second writer can neither cut off nor interleave the frames of
// the first. Readers take no lock.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace procleak::store {

// Takes the exclusive flock(2) on `fd`, open on the record `path`, held until every descriptor of
// that open file is closed; taking it again through the same open file succeeds at once. With
// `wait`, blocks until whoever holds it lets go. Without, a record held by another open file is
// a FailedPrecondition error: "rec.plr: being recorded by another procleak (pid 812)", the pid
// left out when /proc/locks does not show it.
absl::Status LockRecord(int fd, const std::string& path, bool wait);

// The pid holding a flock(2) write lock on the file `ino` of device `dev` (major, minor) in the
// text of /proc/locks (lines "1: FLOCK  ADVISORY  WRITE 812 08:02:131 0 EOF"; waiters, marked
// "->", hold nothing). nullopt when no line says so, or its pid is not visible from here (0).
std::optional<int> FlockHolder(std::string_view proc_locks, uint32_t dev_major, uint32_t dev_minor,
                               uint64_t ino);

}  // namespace procleak::store
