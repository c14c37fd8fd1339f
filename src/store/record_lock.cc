// SPDX-License-Identifier: Apache-2.0
#include "store/record_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "fmt/format.h"

namespace procleak::store {
namespace {

// /proc/locks lists every lock on the host, one short line each; a host with more than this
// many bytes of them only costs the message its pid.
constexpr size_t kMaxLocksBytes = 4 << 20;

template <typename T>
bool ParseNumber(std::string_view text, T* out, int base = 10) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out, base);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at < line.size()) {
    size_t start = line.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    words.push_back(line.substr(start, end - start));
    at = end;
  }
  return words;
}

// The text of /proc/locks, up to kMaxLocksBytes; empty when it cannot be read.
std::string ReadProcLocks() {
  std::string text;
  int fd = open("/proc/locks", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return text;
  char buffer[16 << 10];
  while (text.size() < kMaxLocksBytes) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return text;
}

int Flock(int fd, int operation) {
  int rc;
  do {
    rc = flock(fd, operation);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

std::optional<int> FlockHolder(std::string_view proc_locks, uint32_t dev_major, uint32_t dev_minor,
                               uint64_t ino) {
  while (!proc_locks.empty()) {
    size_t eol = proc_locks.find('\n');
    std::string_view line = proc_locks.substr(0, eol);
    proc_locks.remove_prefix(eol == std::string_view::npos ? proc_locks.size() : eol + 1);
    // "ID: TYPE MODE ACCESS PID MAJOR:MINOR:INODE START END"
    std::vector<std::string_view> w = Words(line);
    if (w.size() < 6 || w[1] != "FLOCK" || w[3] != "WRITE") continue;
    std::string_view file = w[5];
    size_t first = file.find(':'), second = file.find(':', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) continue;
    uint32_t major, minor;
    uint64_t inode;
    int pid;
    if (!ParseNumber(file.substr(0, first), &major, 16) ||
        !ParseNumber(file.substr(first + 1, second - first - 1), &minor, 16) ||
        !ParseNumber(file.substr(second + 1), &inode) || !ParseNumber(w[4], &pid)) {
      continue;
    }
    if (major == dev_major && minor == dev_minor && inode == ino) {
      if (pid <= 0) return std::nullopt;
      return pid;
    }
  }
  return std::nullopt;
}

absl::Status LockRecord(int fd, const std::string& path, bool wait) {
  if (Flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0) return absl::OkStatus();
  if (errno != EWOULDBLOCK) {
    return absl::UnavailableError(fmt::format("{}: flock: {}", path, std::strerror(errno)));
  }
  std::optional<int> holder;
  struct stat st;
  if (fstat(fd, &st) == 0) {
    holder = FlockHolder(ReadProcLocks(), major(st.st_dev), minor(st.st_dev), st.st_ino);
  }
  return absl::FailedPreconditionError(
      holder ? fmt::format("{}: being recorded by another procleak (pid {})", path, *holder)
             : fmt::format("{}: being recorded by another procleak", path));
}

}  // namespace procleak::store
