// SPDX-License-Identifier: Apache-2.0
#include "render/scan_json_reader.h"

#include <algorithm>
#include <climits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/json_error.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "render/json_report.h"

namespace procleak {
namespace {

using Json = nlohmann::json;

// Reads typed fields out of the document. The first problem is kept ("processes[3].pid: expected
// an integer") and every later read returns a default, so callers check ok() once per section.
// Opt* read a field that may be missing or null (absent); the others require a value.
class Reader {
 public:
  explicit Reader(std::string_view name) : name_(name) {}

  bool ok() const { return error_.empty(); }
  absl::Status status() const {
    return ok() ? absl::OkStatus()
                : absl::InvalidArgumentError(fmt::format("{}: {}", name_, error_));
  }
  void Fail(std::string_view path, std::string_view what) {
    if (ok()) error_ = fmt::format("{}: {}", path, what);
  }
  static std::string Join(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
  }

  // obj[key] when present, not null and `valid`; records `expected` when it is not valid.
  const Json* Get(const Json& obj, std::string_view path, const char* key,
                  bool (Json::*valid)() const noexcept, std::string_view expected) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    if (!((*it).*valid)()) {
      Fail(Join(path, key), expected);
      return nullptr;
    }
    return &*it;
  }
  // `value` read from obj[key], which must have been there: "missing" or `expected` (null).
  template <typename T>
  T Required(const Json& obj, std::string_view path, const char* key, std::optional<T> value,
             std::string_view expected) {
    if (!value && ok()) Fail(Join(path, key), obj.contains(key) ? expected : "missing");
    return value.value_or(T());
  }

  std::optional<int64_t> OptInt(const Json& obj, std::string_view path, const char* key,
                                int64_t min = INT_MIN, int64_t max = INT_MAX) {
    const Json* v = Get(obj, path, key, &Json::is_number_integer, kInteger);
    if (v == nullptr) return std::nullopt;
    if (v->is_number_unsigned() ? v->get<uint64_t>() > static_cast<uint64_t>(max)
                                : v->get<int64_t>() < min || v->get<int64_t>() > max) {
      Fail(Join(path, key), "out of range");
      return std::nullopt;
    }
    return v->get<int64_t>();
  }
  int Int(const Json& obj, std::string_view path, const char* key) {
    return static_cast<int>(Required(obj, path, key, OptInt(obj, path, key), kInteger));
  }
  std::optional<uint64_t> OptUint(const Json& obj, std::string_view path, const char* key) {
    const Json* v = Get(obj, path, key, &Json::is_number_unsigned, kUnsigned);
    return v != nullptr ? std::optional<uint64_t>(v->get<uint64_t>()) : std::nullopt;
  }
  uint64_t Uint(const Json& obj, std::string_view path, const char* key) {
    return Required(obj, path, key, OptUint(obj, path, key), kUnsigned);
  }
  // A null limit is "unlimited or unknown": absent.
  std::optional<Limit> OptLimit(const Json& obj, std::string_view path, const char* key) {
    std::optional<uint64_t> v = OptUint(obj, path, key);
    return v ? std::optional<Limit>(Limit::Of(*v)) : std::nullopt;
  }
  double Number(const Json& obj, std::string_view path, const char* key) {
    const Json* v = Get(obj, path, key, &Json::is_number, "expected a number");
    return Required(obj, path, key, v ? std::optional<double>(v->get<double>()) : std::nullopt,
                    "expected a number");
  }
  bool Bool(const Json& obj, std::string_view path, const char* key) {
    const Json* v = Get(obj, path, key, &Json::is_boolean, "expected true or false");
    return Required(obj, path, key, v ? std::optional<bool>(v->get<bool>()) : std::nullopt,
                    "expected true or false");
  }
  std::optional<std::string> OptString(const Json& obj, std::string_view path, const char* key) {
    const Json* v = Get(obj, path, key, &Json::is_string, "expected a string");
    return v != nullptr ? std::optional<std::string>(v->get<std::string>()) : std::nullopt;
  }
  std::string String(const Json& obj, std::string_view path, const char* key) {
    return Required(obj, path, key, OptString(obj, path, key), "expected a string");
  }
  std::optional<absl::Time> OptTime(const Json& obj, std::string_view path, const char* key) {
    const Json* v = Get(obj, path, key, &Json::is_string, kTime);
    absl::Time t;
    std::string err;
    if (v == nullptr) return std::nullopt;
    if (!absl::ParseTime(absl::RFC3339_full, v->get<std::string>(), &t, &err)) {
      Fail(Join(path, key), kTime);
      return std::nullopt;
    }
    return t;
  }
  absl::Time Time(const Json& obj, std::string_view path, const char* key) {
    return Required(obj, path, key, OptTime(obj, path, key), kTime);
  }
  // obj[key] as an array or object; `required` makes a missing one an error.
  const Json* Array(const Json& obj, std::string_view path, const char* key, bool required) {
    const Json* v = Get(obj, path, key, &Json::is_array, "expected an array");
    if (v == nullptr && (required || obj.contains(key)) && ok()) {
      Fail(Join(path, key), obj.contains(key) ? "expected an array" : "missing");
    }
    return v;
  }
  const Json* Object(const Json& obj, std::string_view path, const char* key) {
    const Json* v = Get(obj, path, key, &Json::is_object, "expected an object");
    if (v == nullptr && ok())
      Fail(Join(path, key), obj.contains(key) ? "expected an object" : "missing");
    return v;
  }

 private:
  static constexpr std::string_view kInteger = "expected an integer";
  static constexpr std::string_view kUnsigned = "expected a non-negative integer";
  static constexpr std::string_view kTime = "expected an RFC 3339 time";
  std::string name_;
  std::string error_;
};

std::string Index(std::string_view array, size_t i) { return fmt::format("{}[{}]", array, i); }

std::optional<CgroupMode> ModeNamed(std::string_view name) {
  for (CgroupMode m : {CgroupMode::kNone, CgroupMode::kV1, CgroupMode::kV2, CgroupMode::kHybrid}) {
    if (name == CgroupModeName(m)) return m;
  }
  return std::nullopt;
}

void ReadHost(Reader& r, const Json& h, Host* host, ScanStats* stats) {
  constexpr std::string_view p = "host";
  host->hostname = r.String(h, p, "hostname");
  host->kernel = r.String(h, p, "kernel");
  host->boot_time = r.Time(h, p, "boot_time");
  host->scanned_at = r.Time(h, p, "scanned_at");
  const std::string mode = r.String(h, p, "cgroup_mode");
  if (std::optional<CgroupMode> m = ModeNamed(mode)) {
    host->cgroup_mode = *m;
  } else if (r.ok()) {
    r.Fail("host.cgroup_mode", fmt::format("unknown mode \"{}\"", mode));
  }
  host->mem_total_bytes = r.OptUint(h, p, "mem_total_bytes");
  host->mem_available_bytes = r.OptUint(h, p, "mem_available_bytes");
  stats->skipped_vanished = r.Int(h, p, "skipped_vanished");
  stats->skipped_denied = r.Int(h, p, "skipped_denied");
  stats->duration = absl::Milliseconds(r.Number(h, p, "scan_ms"));
  stats->pss = r.Bool(h, p, "pss");
}

std::optional<PressureLine> ReadPressureLine(Reader& r, const Json& obj, const std::string& path,
                                             const char* key) {
  const Json* v = r.Get(obj, path, key, &Json::is_object, "expected an object or null");
  if (v == nullptr) return std::nullopt;
  const std::string at = Reader::Join(path, key);
  PressureLine line;
  line.avg10 = r.Number(*v, at, "avg10");
  line.avg60 = r.Number(*v, at, "avg60");
  line.avg300 = r.Number(*v, at, "avg300");
  line.total_us = r.Uint(*v, at, "total_us");
  return line;
}

Cgroup ReadCgroup(Reader& r, const Json& c, const std::string& p) {
  Cgroup cg;
  cg.path = r.String(c, p, "path");
  cg.memory_bytes = r.OptUint(c, p, "memory_bytes");
  cg.memory_limit = r.OptLimit(c, p, "memory_limit_bytes");
  cg.oom_kills = r.OptUint(c, p, "oom_kills");
  cg.pids_current = r.OptUint(c, p, "pids_current");
  cg.pids_max = r.OptLimit(c, p, "pids_max");
  cg.memory_peak_bytes = r.OptUint(c, p, "memory_peak_bytes");
  cg.limit_hits = r.OptUint(c, p, "limit_hits");
  if (const Json* m = r.Get(c, p, "memory_stat", &Json::is_object, "expected an object")) {
    const std::string at = Reader::Join(p, "memory_stat");
    MemoryStat& s = cg.memory_stat;
    const std::pair<const char*, std::optional<uint64_t>*> keys[] = {
        {"anon", &s.anon},     {"file", &s.file},
        {"shmem", &s.shmem},   {"file_mapped", &s.file_mapped},
        {"kernel", &s.kernel}, {"slab", &s.slab},
        {"sock", &s.sock},     {"swap", &s.swap}};
    for (const auto& [key, field] : keys) *field = r.OptUint(*m, at, key);
  }
  if (const Json* pressure =
          r.Get(c, p, "memory_pressure", &Json::is_object, "expected an object or null")) {
    const std::string at = Reader::Join(p, "memory_pressure");
    cg.memory_pressure = Pressure{ReadPressureLine(r, *pressure, at, "some"),
                                  ReadPressureLine(r, *pressure, at, "full")};
  }
  return cg;
}

Process ReadProcess(Reader& r, const Json& j, const std::string& p) {
  Process proc;
  proc.pid = r.Int(j, p, "pid");
  proc.ppid = r.Int(j, p, "ppid");
  // Not in documents of procleak before these fields: 0 and absent, as a version-1 record has them.
  proc.pgid = static_cast<int>(r.OptInt(j, p, "pgid").value_or(0));
  proc.sid = static_cast<int>(r.OptInt(j, p, "sid").value_or(0));
  proc.tty_nr = static_cast<int>(r.OptInt(j, p, "tty_nr").value_or(0));
  if (std::optional<int64_t> ns_pid = r.OptInt(j, p, "ns_pid")) {
    proc.ns_pid = static_cast<int>(*ns_pid);
  }
  proc.starttime_ticks = r.Uint(j, p, "starttime");
  proc.started_at = r.Time(j, p, "started_at");
  const std::string state = r.String(j, p, "state");
  if (state.size() == 1) {
    proc.state = state[0];
  } else if (r.ok()) {
    r.Fail(Reader::Join(p, "state"), "expected one character");
  }
  proc.comm = r.String(j, p, "comm");
  if (const Json* argv = r.Array(j, p, "cmdline", true)) {
    for (size_t i = 0; i < argv->size(); ++i) {
      const Json& arg = (*argv)[i];
      if (!arg.is_string()) {
        r.Fail(Index(Reader::Join(p, "cmdline"), i), "expected a string");
        break;
      }
      proc.argv.push_back(arg.get<std::string>());
    }
  }
  if (std::optional<int64_t> uid = r.OptInt(j, p, "uid", 0, UINT32_MAX)) {
    proc.uid = static_cast<uint32_t>(*uid);
  }
  proc.threads = r.Int(j, p, "threads");
  proc.rss_bytes = r.OptUint(j, p, "rss_bytes");
  proc.pss_bytes = r.OptUint(j, p, "pss_bytes");
  proc.cgroup = r.String(j, p, "cgroup");
  proc.kernel_thread = r.Bool(j, p, "kernel_thread");
  proc.exe = r.String(j, p, "exe");
  proc.container = r.OptString(j, p, "container").value_or("");  // null: on the host
  return proc;
}

Container ReadContainer(Reader& r, const Json& j, const std::string& p) {
  Container c;
  c.id = r.String(j, p, "id");
  c.runtime = r.String(j, p, "runtime");
  c.name = r.String(j, p, "name");
  c.cgroup = r.String(j, p, "cgroup");
  c.memory_bytes = r.OptUint(j, p, "memory_bytes");
  c.memory_limit = r.OptLimit(j, p, "memory_limit_bytes");
  c.restart_count = r.OptUint(j, p, "restart_count");
  c.oom_kills = r.OptUint(j, p, "oom_kills");
  c.state = r.String(j, p, "state");
  c.restart_policy = r.String(j, p, "restart_policy");
  c.started_at = r.OptTime(j, p, "started_at");
  c.init_pid = static_cast<int>(r.OptInt(j, p, "init_pid").value_or(0));
  c.pids_current = r.OptUint(j, p, "pids_current");
  c.pids_max = r.OptLimit(j, p, "pids_max");
  return c;
}

// Reads each element of doc[key] with `read`, stopping at the first problem.
template <typename T, typename F>
std::vector<T> ReadArray(Reader& r, const Json& doc, const char* key, bool required, F read) {
  std::vector<T> out;
  const Json* array = r.Array(doc, "", key, required);
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size() && r.ok(); ++i) {
    const std::string at = Index(key, i);
    const Json& item = (*array)[i];
    if (!item.is_object()) {
      r.Fail(at, "expected an object");
      break;
    }
    out.push_back(read(r, item, at));
  }
  return out;
}

}  // namespace

absl::StatusOr<Snapshot> SnapshotFromScanJson(std::string_view text, std::string_view name) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", name, JsonErrorMessage(text)));
  }
  Reader r(name);
  auto schema = doc.is_object() ? doc.find("schema") : doc.end();
  if (!doc.is_object() || schema == doc.end() || *schema != kScanSchema) {
    return absl::InvalidArgumentError(fmt::format("{}: not a {} document", name, kScanSchema));
  }
  Host host;
  ScanStats stats;
  if (const Json* h = r.Object(doc, "", "host")) ReadHost(r, *h, &host, &stats);
  std::vector<Cgroup> cgroups = ReadArray<Cgroup>(r, doc, "cgroups", true, ReadCgroup);
  std::vector<Process> processes = ReadArray<Process>(r, doc, "processes", true, ReadProcess);
  // A document without the analysis sections has no containers.
  std::vector<Container> containers =
      ReadArray<Container>(r, doc, "containers", false, ReadContainer);
  if (!r.ok()) return r.status();

  // Membership is not in the document's cgroups and containers; each process names its own.
  // As Snapshot::Build does: by pid, a pid listed twice keeping its first record.
  std::stable_sort(processes.begin(), processes.end(),
                   [](const Process& a, const Process& b) { return a.pid < b.pid; });
  processes.erase(std::unique(processes.begin(), processes.end(),
                              [](const Process& a, const Process& b) { return a.pid == b.pid; }),
                  processes.end());
  std::map<std::string_view, Cgroup*> cgroup_at;
  for (Cgroup& c : cgroups) cgroup_at.emplace(c.path, &c);
  std::map<std::string_view, Container*> container_of;
  for (Container& c : containers) container_of.emplace(c.id, &c);
  for (const Process& p : processes) {
    if (auto it = cgroup_at.find(p.cgroup); it != cgroup_at.end())
      it->second->pids.push_back(p.pid);
    if (p.container.empty()) continue;
    if (auto it = container_of.find(p.container); it != container_of.end()) {
      it->second->pids.push_back(p.pid);
    }
  }
  for (Container& c : containers) {
    auto it = cgroup_at.find(c.cgroup);
    if (!c.cgroup.empty() && it != cgroup_at.end()) c.memory_pressure = it->second->memory_pressure;
  }
  return Snapshot::Build(std::move(host), std::move(processes), std::move(cgroups), stats,
                         std::move(containers));
}

}  // namespace procleak
