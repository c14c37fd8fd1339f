// SPDX-License-Identifier: Apache-2.0
// GenerateTree: writing a generated host out as proc/, sys/fs/cgroup/ and Docker state files.
#include "fixture_tree.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>

#include "fixture_files.h"
#include "fixture_population.h"
#include "fmt/format.h"

namespace procleak::bench {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

std::string Errno(std::string_view path) {
  return fmt::format("{}: {}", path, std::strerror(errno));
}

// Writes `name` under `dir_fd`; `path` names it in errors.
absl::Status WriteAt(int dir_fd, const char* name, std::string_view content,
                     const std::string& path) {
  int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError(Errno(path));
  ssize_t written = write(fd, content.data(), content.size());
  int saved = errno;
  close(fd);
  if (written != static_cast<ssize_t>(content.size())) {
    errno = saved;
    return absl::InternalError(Errno(path));
  }
  return absl::OkStatus();
}

// Writes ROOT/relative, creating its parent directories.
absl::Status Write(const std::string& root, std::string_view relative, std::string_view content) {
  std::filesystem::path path = std::filesystem::path(root) / relative;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return absl::InternalError(fmt::format("{}: {}", path.parent_path().string(), ec.message()));
  return WriteAt(AT_FDCWD, path.c_str(), content, path.string());
}

absl::Status WriteProcesses(const std::string& dir, const GeneratedHost& h) {
  std::string proc = dir + "/proc";
  int proc_fd = open(proc.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (proc_fd < 0) return absl::InternalError(Errno(proc));
  std::string buffer;
  absl::Status status;
  for (const FakeProcess& p : h.processes) {
    std::string name = std::to_string(p.pid);
    std::string path = proc + "/" + name;
    int fd = -1;
    if (mkdirat(proc_fd, name.c_str(), 0755) != 0 ||
        (fd = openat(proc_fd, name.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC)) < 0) {
      status = absl::InternalError(Errno(path));
      break;
    }
    auto put = [&](const char* file, auto append) {
      if (!status.ok()) return;
      buffer.clear();
      append(p, &buffer);
      status = WriteAt(fd, file, buffer, path + "/" + file);
    };
    put("stat", AppendStat);
    put("statm", AppendStatm);
    put("status", AppendStatus);
    put("cmdline", [](const FakeProcess& q, std::string* out) { out->append(q.cmdline); });
    put("cgroup", [&h](const FakeProcess& q, std::string* out) {
      fmt::format_to(std::back_inserter(*out), "0::{}\n",
                     h.cgroups[static_cast<size_t>(q.cgroup)].path);
    });
    if (status.ok() && !p.exe.empty() && symlinkat(p.exe.c_str(), fd, "exe") != 0) {
      status = absl::InternalError(Errno(path + "/exe"));
    }
    close(fd);
    if (!status.ok()) break;
  }
  close(proc_fd);
  return status;
}

std::string LimitText(const std::optional<uint64_t>& value) {
  return value ? fmt::format("{}\n", *value) : std::string("max\n");
}

absl::Status WriteCgroup(const std::string& dir, const CgroupSpec& cg) {
  std::string base = "sys/fs/cgroup" + (cg.path == "/" ? std::string() : cg.path);
  auto write = [&](std::string_view file, std::string_view content) {
    return Write(dir, fmt::format("{}/{}", base, file), content);
  };
  std::string procs;
  for (int pid : cg.pids) fmt::format_to(std::back_inserter(procs), "{}\n", pid);
  uint64_t rss = cg.rss_pages * kPageSize;
  uint64_t current = rss + rss / 4 + 8 * kMiB;  // plus page cache and kernel memory
  if (cg.memory_max) current = std::min(current, *cg.memory_max / 100 * 97);
  uint64_t kernel = current / 20;
  uint64_t anon = std::min(rss * 3 / 4, current - kernel);
  absl::Status s = write("cgroup.procs", procs);
  if (s.ok()) s = write("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  if (s.ok())
    s = write("memory.stat", V2MemoryStat(anon, current - kernel - anon, kernel, rss / 50));
  if (s.ok())
    s = write("memory.pressure", PressureFile(cg.pressure_avg60 * 1.3, cg.pressure_avg60,
                                              static_cast<uint64_t>(cg.pressure_avg60 * 9e6)));
  if (!s.ok() || cg.path == "/") return s;  // the root has no memory.current/max nor pids files
  if (s.ok()) s = write("cgroup.type", "domain\n");
  if (s.ok()) s = write("memory.current", fmt::format("{}\n", current));
  if (s.ok()) s = write("memory.max", LimitText(cg.memory_max));
  if (s.ok()) s = write("memory.peak", fmt::format("{}\n", current + current / 8));
  if (s.ok()) s = write("memory.events", MemoryEventsFile(cg.oom_kills * 40, cg.oom_kills));
  if (s.ok()) s = write("pids.current", fmt::format("{}\n", cg.tasks));
  std::optional<uint64_t> pids_max = cg.pids_max;
  if (pids_max) pids_max = std::max(*pids_max, cg.tasks * 2);
  if (s.ok()) s = write("pids.max", LimitText(pids_max));
  return s;
}

}  // namespace

absl::Status GenerateTree(const std::string& dir, int processes) {
  if (processes < 100)
    return absl::InvalidArgumentError("GenerateTree: want 100 processes or more");
  GeneratedHost h = Populate(processes);
  absl::Status s = Write(dir, "proc/stat", ProcStatFile(8, processes));
  if (s.ok()) s = Write(dir, "proc/meminfo", MemInfoFile(65'842'216, 23'110'504));
  if (s.ok()) s = Write(dir, "proc/self/mountinfo", MountInfoFile());
  if (s.ok()) s = Write(dir, "proc/sys/kernel/hostname", "bench-host\n");
  if (s.ok()) s = Write(dir, "proc/sys/kernel/osrelease", "6.8.0-51-generic\n");
  if (s.ok()) s = WriteProcesses(dir, h);
  for (const CgroupSpec& cg : h.cgroups) {
    if (s.ok()) s = WriteCgroup(dir, cg);
  }
  for (const DockerContainer& c : h.containers) {
    std::string base = "var/lib/docker/containers/" + c.config.id;
    if (s.ok()) s = Write(dir, base + "/config.v2.json", DockerConfigJson(c.config));
    if (s.ok()) {
      s = Write(dir, base + "/hostconfig.json",
                DockerHostConfigJson(c.configured_memory, c.restart_policy));
    }
  }
  return s;
}

absl::StatusOr<std::string> CachedTree(int processes) {
  // One directory for every size, removed by the destructor at normal exit.
  struct Cache {
    std::string base;
    std::map<int, std::string> trees;
    ~Cache() {
      std::error_code ec;
      if (!base.empty()) std::filesystem::remove_all(base, ec);
    }
  };
  static Cache cache;
  auto it = cache.trees.find(processes);
  if (it != cache.trees.end()) return it->second;
  if (cache.base.empty()) {
    const char* tmpdir = getenv("TMPDIR");
    std::string templ = fmt::format("{}/procleak-bench-XXXXXX",
                                    tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp");
    if (mkdtemp(templ.data()) == nullptr) return absl::InternalError(Errno(templ));
    cache.base = templ;
  }
  std::string dir = fmt::format("{}/n{}", cache.base, processes);
  if (mkdir(dir.c_str(), 0755) != 0) return absl::InternalError(Errno(dir));
  if (absl::Status s = GenerateTree(dir, processes); !s.ok()) return s;
  return cache.trees[processes] = dir;
}

}  // namespace procleak::bench
