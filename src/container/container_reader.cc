// SPDX-License-Identifier: Apache-2.0
// ReadContainers: groups processes by the container their cgroup names, then adds what the
// runtimes leave on disk (Docker state files, kubelet's log links, the container's hostname).

#include "container/container_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "base/fd_closer.h"
#include "base/keyed_values.h"
#include "container/container_paths.h"
#include "container/docker_state.h"
#include "container/runtime_state.h"
#include "fmt/format.h"
#include "model/runtimes.h"

namespace procleak {
namespace {

// ---- files ---------------------------------------------------------------------------------

// The entry names of directory `path`, sorted. Absent: empty; denied: counted, empty.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path, SkipCounter* skips) {
  std::vector<std::string> names;
  int fd = -1;
  absl::StatusOr<ReadOutcome> opened = OpenDirAt(AT_FDCWD, "", path.c_str(), &fd);
  if (!opened.ok()) return opened.status();
  if (!skips->Readable(*opened)) return names;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(fdopendir(fd), &closedir);
  if (dir == nullptr) {
    int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, path);
  }
  errno = 0;
  while (const dirent* entry = readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  if (errno != 0) return absl::ErrnoToStatus(errno, path);
  std::sort(names.begin(), names.end());
  return names;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Reads an optional Docker state file: true with *out filled, false when absent or denied (denied
// counted).
absl::StatusOr<bool> ReadOptional(const std::string& path, SkipCounter* skips, std::string* out) {
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", path.c_str(), FileKind::kDockerState, out);
  if (!read.ok()) return read.status();
  return skips->Readable(*read);
}

// ---- which container each process runs in --------------------------------------------------

bool HasController(std::string_view list, std::string_view controller) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (list.substr(0, comma) == controller) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The path the process's memory is charged to: Process::cgroup when the scanner set it (it also
// covers v1 zombies, whose lines all read "/"), else the v1 memory line, else the v2 line.
std::string_view AccountingPath(const Process& p) {
  if (!p.cgroup.empty()) return p.cgroup;
  for (const CgroupMembership& line : p.cgroup_lines) {
    if (HasController(line.controllers, "memory")) return line.path;
  }
  for (const CgroupMembership& line : p.cgroup_lines) {
    if (line.hierarchy_id == 0 && line.controllers.empty()) return line.path;
  }
  return {};
}

struct ProcessMatch {
  ContainerRef ref;
  bool accounting = false;  // found on the accounting line, so ref.cgroup is the one to read
};

// The accounting line first, then every other line: v1 controllers can disagree, and on a hybrid
// host the 0:: line may not show the container at all.
// MatchContainerCgroup remembered per path: the processes of a host share a few cgroups.
class CgroupMatcher {
 public:
  const std::optional<ContainerRef>& Match(std::string_view path) {
    auto it = seen_.find(absl::string_view(path.data(), path.size()));
    if (it == seen_.end()) it = seen_.emplace(std::string(path), MatchContainerCgroup(path)).first;
    return it->second;
  }

 private:
  absl::flat_hash_map<std::string, std::optional<ContainerRef>> seen_;
};

std::optional<ProcessMatch> MatchProcess(const Process& p, CgroupMatcher& matcher) {
  std::string_view accounting = AccountingPath(p);
  if (!accounting.empty()) {
    if (const std::optional<ContainerRef>& ref = matcher.Match(accounting)) {
      return ProcessMatch{*ref, true};
    }
  }
  for (const CgroupMembership& line : p.cgroup_lines) {
    if (line.path == accounting) continue;
    if (const std::optional<ContainerRef>& ref = matcher.Match(line.path)) {
      return ProcessMatch{*ref, false};
    }
  }
  return std::nullopt;
}

using ContainerMap = std::map<std::string, Container>;

// Sets Process::container and creates the containers the processes live in.
void GroupProcesses(std::vector<Process>& processes, const absl::flat_hash_map<int, size_t>& by_pid,
                    ContainerMap* containers) {
  CgroupMatcher matcher;
  for (Process& p : processes) {
    std::optional<ProcessMatch> match = MatchProcess(p, matcher);
    if (!match) continue;
    p.container = match->ref.id;
    Container& c = (*containers)[match->ref.id];
    if (c.id.empty()) {
      c.id = match->ref.id;
      c.runtime = match->ref.runtime;
    }
    if (match->accounting && c.cgroup.empty()) c.cgroup = match->ref.cgroup;
  }
  // A v1 zombie reads "/" on every line; it still belongs where its parent runs. Walk up through
  // zombie parents (bounded, in case of a parent cycle).
  for (Process& p : processes) {
    if (!p.container.empty() || p.state != 'Z') continue;
    const Process* parent = &p;
    for (int depth = 0; depth < 64 && parent->container.empty() && parent->state == 'Z'; ++depth) {
      auto it = by_pid.find(parent->ppid);
      if (it == by_pid.end() || parent->ppid == parent->pid) break;
      parent = &processes[it->second];
    }
    p.container = parent->container;
  }
  for (const Process& p : processes) {
    if (!p.container.empty()) (*containers)[p.container].pids.push_back(p.pid);
  }
  for (auto& [id, c] : *containers) std::sort(c.pids.begin(), c.pids.end());
}

// The topmost process inside: its parent is outside the container (or unknown). When several
// qualify (`docker exec` children of the shim), the runtime's recorded pid, else the oldest.
int InitPid(const Container& c, const std::vector<Process>& processes,
            const absl::flat_hash_map<int, size_t>& by_pid, int runtime_pid) {
  const Process* best = nullptr;
  for (int pid : c.pids) {
    const Process& p = processes[by_pid.at(pid)];
    auto parent = by_pid.find(p.ppid);
    if (parent != by_pid.end() && processes[parent->second].container == c.id) continue;
    if (p.pid == runtime_pid) return p.pid;
    if (best == nullptr || p.starttime_ticks < best->starttime_ticks) best = &p;
  }
  return best == nullptr ? 0 : best->pid;
}

// ---- runtime state on disk ------------------------------------------------------------------

absl::Status WithPath(const absl::Status& status, std::string_view path) {
  const absl::string_view message = status.message();  // Debian's abseil: not std::string_view
  return absl::Status(
      status.code(), fmt::format("{}: {}", path, std::string_view(message.data(), message.size())));
}

// <docker_root>/containers/<id>/{config.v2.json,hostconfig.json}: every container Docker knows,
// including one that is restarting and has no process right now. Returns id -> State.Pid.
absl::StatusOr<std::map<std::string, int>> ReadDockerState(const ContainerReadOptions& options,
                                                           ContainerMap* containers,
                                                           SkipCounter* skips) {
  std::map<std::string, int> pids;
  const std::string dir = JoinPath(JoinPath(options.root, options.docker_root), "/containers");
  absl::StatusOr<std::vector<std::string>> ids = ListDir(dir, skips);
  if (!ids.ok()) return ids.status();
  std::string text;
  for (const std::string& id : *ids) {
    const std::string container_dir = JoinPath(dir, id);
    if (!IsDirectory(container_dir)) continue;

    const std::string config_path = JoinPath(container_dir, "config.v2.json");
    const int denied_before = skips->denied;
    absl::StatusOr<bool> have_config = ReadOptional(config_path, skips, &text);
    if (!have_config.ok()) return have_config.status();
    std::optional<DockerConfig> config;
    if (*have_config) {
      absl::StatusOr<DockerConfig> parsed = ParseDockerConfig(text);
      if (!parsed.ok()) return WithPath(parsed.status(), config_path);
      config = *std::move(parsed);
    }
    // A directory without its config is a container being created or removed; keep it only if
    // a process runs in it or the config was there but unreadable.
    auto it = containers->find(id);
    if (!config && it == containers->end() && skips->denied == denied_before) continue;
    Container& c = (*containers)[id];
    if (c.id.empty()) {
      c.id = id;
      c.runtime = RuntimeName(Runtime::kDocker);
      c.verified = false;
    }
    if (config) {
      // Kubelet's cgroupfs layout names no runtime; a Docker state directory does (dockershim).
      c.runtime = RuntimeName(Runtime::kDocker);
      c.verified = true;
      c.name = config->name;
      c.restart_count = config->restart_count;
      c.state = config->state;
      c.started_at = config->started_at;
      if (config->pid > 0) pids[id] = config->pid;
    }

    const std::string host_path = JoinPath(container_dir, "hostconfig.json");
    absl::StatusOr<bool> have_host = ReadOptional(host_path, skips, &text);
    if (!have_host.ok()) return have_host.status();
    if (*have_host) {
      absl::StatusOr<DockerHostConfig> host = ParseDockerHostConfig(text);
      if (!host.ok()) return WithPath(host.status(), host_path);
      if (host->memory_bytes) c.memory_limit = Limit::Of(*host->memory_bytes);
      c.restart_policy = host->restart_policy;
    }
  }
  return pids;
}

bool IsHex64(std::string_view id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
         });
}

// kubelet's /var/log/containers/<pod>_<namespace>_<container>-<id>.log -> (id, "ns/pod/container").
// Pod, namespace and container names are DNS names, so they hold no '_'.
std::optional<std::pair<std::string, std::string>> ParseKubeletLogName(std::string_view file) {
  constexpr std::string_view kSuffix = ".log";
  if (!file.ends_with(kSuffix)) return std::nullopt;
  file.remove_suffix(kSuffix.size());
  if (file.size() < 66 || file[file.size() - 65] != '-') return std::nullopt;
  std::string_view id = file.substr(file.size() - 64);
  if (!IsHex64(id)) return std::nullopt;
  std::string_view rest = file.substr(0, file.size() - 65);
  size_t first = rest.find('_');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = rest.find('_', first + 1);
  if (second == std::string_view::npos || rest.find('_', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view pod = rest.substr(0, first);
  std::string_view ns = rest.substr(first + 1, second - first - 1);
  std::string_view container = rest.substr(second + 1);
  if (pod.empty() || ns.empty() || container.empty()) return std::nullopt;
  return std::make_pair(std::string(id), fmt::format("{}/{}/{}", ns, pod, container));
}

absl::Status ReadKubernetesNames(const ContainerReadOptions& options, ContainerMap* containers,
                                 SkipCounter* skips) {
  absl::StatusOr<std::vector<std::string>> files =
      ListDir(JoinPath(options.root, "/var/log/containers"), skips);
  if (!files.ok()) return files.status();
  for (const std::string& file : *files) {
    std::optional<std::pair<std::string, std::string>> parsed = ParseKubeletLogName(file);
    if (!parsed) continue;
    auto it = containers->find(parsed->first);
    if (it == containers->end()) continue;
    it->second.verified = true;  // kubelet made this link for the container it runs
    if (it->second.name.empty()) it->second.name = parsed->second;
  }
  return absl::OkStatus();
}

// A hostname is at most 64 bytes: read no more than a page of whatever the file holds.
constexpr size_t kMaxHostnameFile = 4096;

// The container's own /etc/hostname, seen through its init's /proc/PID/root. The container owns
// that tree, so nothing in it is followed: a symlinked etc/ or hostname would resolve against
// procleak's root (a container could point it at the host's /etc/shadow), and a FIFO would block.
// Unreadable for any reason: no name (denied reads are counted).
void ReadHostname(const ContainerReadOptions& options, Container* c, SkipCounter* skips,
                  std::string* buffer) {
  const std::string root = JoinPath(options.root, fmt::format("/proc/{}/root", c->init_pid));
  int root_fd = -1;
  absl::StatusOr<ReadOutcome> opened = OpenDirAt(AT_FDCWD, "", root.c_str(), &root_fd);
  if (!opened.ok() || !skips->Readable(*opened)) return;
  FdCloser root_closer(root_fd);
  int etc_fd = openat(root_fd, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (etc_fd < 0) {
    if (errno == EACCES || errno == EPERM) ++skips->denied;
    return;
  }
  FdCloser etc_closer(etc_fd);
  int fd = openat(etc_fd, "hostname", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EACCES || errno == EPERM) ++skips->denied;
    return;
  }
  FdCloser closer(fd);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  buffer->resize(kMaxHostnameFile);
  size_t used = 0;
  while (used < buffer->size()) {
    ssize_t n = read(fd, buffer->data() + used, buffer->size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  buffer->resize(used);
  std::string_view text = *buffer;
  c->name = std::string(StripWhitespace(text.substr(0, text.find('\n'))));
}

}  // namespace

absl::StatusOr<std::vector<Container>> ReadContainers(const ContainerReadOptions& options,
                                                      std::vector<Process>& processes,
                                                      SkipCounter* skips) {
  SkipCounter ignored;
  if (skips == nullptr) skips = &ignored;
  absl::flat_hash_map<int, size_t> by_pid;
  by_pid.reserve(processes.size());
  for (size_t i = 0; i < processes.size(); ++i) by_pid.emplace(processes[i].pid, i);

  ContainerMap containers;
  GroupProcesses(processes, by_pid, &containers);
  // Until a runtime's state names it, a container is only a cgroup path's claim.
  for (auto& [id, c] : containers) c.verified = false;
  absl::StatusOr<std::map<std::string, int>> docker_pids =
      ReadDockerState(options, &containers, skips);
  if (!docker_pids.ok()) return docker_pids.status();
  for (auto& [id, c] : containers) {
    auto pid = docker_pids->find(id);
    c.init_pid = InitPid(c, processes, by_pid, pid == docker_pids->end() ? 0 : pid->second);
  }
  absl::Status named = ReadKubernetesNames(options, &containers, skips);
  if (!named.ok()) return named;
  std::string buffer;
  for (auto& [id, c] : containers) {
    if (!c.verified)
      c.verified = RuntimeStateExists(options.root, c.runtime, c.id, c.cgroup, skips);
    // An unverified container's init may be any process, whose /etc/hostname may be the host's
    // (or one its owner wrote): no name is taken from it.
    if (c.verified && c.name.empty() && c.init_pid != 0) ReadHostname(options, &c, skips, &buffer);
  }

  std::vector<Container> out;
  out.reserve(containers.size());
  for (auto& [id, c] : containers) out.push_back(std::move(c));
  return out;
}

}  // namespace procleak
