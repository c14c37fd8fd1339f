// SPDX-License-Identifier: Apache-2.0
#include "cli/atomic_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/common.h"
#include "fmt/format.h"

namespace procleak {
namespace {

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Produces and writes the content into `fd`; the exit status.
int Fill(int fd, const std::string& path,
         const std::function<absl::StatusOr<std::string>()>& produce) {
  absl::StatusOr<std::string> text = produce();
  if (!text.ok()) return Fail(text.status());
  for (size_t done = 0; done < text->size();) {
    ssize_t n = write(fd, text->data() + done, text->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Fail(fmt::format("{}: {}", path, std::strerror(n < 0 ? errno : EIO)));
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return Fail(fmt::format("{}: {}", path, std::strerror(errno)));
  return kExitOk;
}

int Publish(const std::string& temp, const std::string& path) {
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(temp.c_str());
    return Fail(fmt::format("{}: {}", path, std::strerror(err)));
  }
  // The rename itself is durable once the directory is.
  const int dir = open(DirOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return kExitOk;
}

}  // namespace

int WriteAtomically(const std::string& path, const CliArgs& args,
                    const std::function<absl::StatusOr<std::string>()>& produce) {
  std::string temp = DirOf(path) + "/." + BaseOf(path) + ".XXXXXX";
  const int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) {
    return Fail(fmt::format("{}: cannot create a temporary file in {}: {}", path, DirOf(path),
                            std::strerror(errno)));
  }
  fchmod(fd, 0644);  // a textfile collector reads it as another user
  int status = kExitError;
  if (!args.sandbox) {
    status = Fill(fd, path, produce);
  } else {
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child < 0) {
      status = Fail(fmt::format("cannot fork: {}", std::strerror(errno)));
    } else if (child == 0) {
      absl::Status sandboxed = EnterSandbox(args, {fd});
      const int code = sandboxed.ok() ? Fill(fd, path, produce) : Fail(sandboxed);
      std::fflush(nullptr);
      _exit(code);
    } else {
      int wait_status = 0;
      while (waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {
      }
      status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : kExitError;
      if (WIFSIGNALED(wait_status)) {
        Fail(fmt::format("{}: not written: the writer died of signal {}", path,
                         WTERMSIG(wait_status)));
      }
    }
  }
  close(fd);
  if (status != kExitOk) {
    unlink(temp.c_str());
    return status;
  }
  return Publish(temp, path);
}

}  // namespace procleak
