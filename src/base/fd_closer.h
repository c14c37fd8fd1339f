// SPDX-License-Identifier: Apache-2.0
#pragma once
// Closes a file descriptor when it goes out of scope (negative descriptors are ignored).

#include <unistd.h>

namespace procleak {

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  // Stops owning the descriptor and returns it.
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace procleak
