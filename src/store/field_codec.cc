// SPDX-License-Identifier: Apache-2.0
#include "store/field_codec.h"

#include <cstdint>

#include "store/value_codec.h"

namespace procleak::store {
namespace {

// Sets `bit` in *mask when the two values differ.
template <typename T>
void Compare(const T& a, const T& b, uint32_t bit, uint32_t* mask) {
  if (!(a == b)) *mask |= bit;
}

// Process fields, in mask bit order.
enum : uint32_t {
  kPid = 1 << 0,
  kStarttime = 1 << 1,
  kPpid = 1 << 2,
  kState = 1 << 3,
  kStartedAt = 1 << 4,
  kComm = 1 << 5,
  kArgv = 1 << 6,
  kUid = 1 << 7,
  kThreads = 1 << 8,
  kRss = 1 << 9,
  kPss = 1 << 10,
  kExe = 1 << 11,
  kKernelThread = 1 << 12,
  kCgroupLines = 1 << 13,
  kProcessCgroup = 1 << 14,
  kProcessContainer = 1 << 15,
  kPgid = 1 << 16,  // bits 16-19: format version 2
  kSid = 1 << 17,
  kTtyNr = 1 << 18,
  kNsPid = 1 << 19,
};
}  // namespace

uint32_t ProcessFields::Diff(const Process& a, const Process& b) {
  uint32_t m = 0;
  Compare(a.ppid, b.ppid, kPpid, &m);
  Compare(a.state, b.state, kState, &m);
  Compare(a.started_at, b.started_at, kStartedAt, &m);
  Compare(a.comm, b.comm, kComm, &m);
  Compare(a.argv, b.argv, kArgv, &m);
  Compare(a.uid, b.uid, kUid, &m);
  Compare(a.threads, b.threads, kThreads, &m);
  Compare(a.rss_bytes, b.rss_bytes, kRss, &m);
  Compare(a.pss_bytes, b.pss_bytes, kPss, &m);
  Compare(a.exe, b.exe, kExe, &m);
  Compare(a.kernel_thread, b.kernel_thread, kKernelThread, &m);
  Compare(a.cgroup_lines, b.cgroup_lines, kCgroupLines, &m);
  Compare(a.cgroup, b.cgroup, kProcessCgroup, &m);
  Compare(a.container, b.container, kProcessContainer, &m);
  Compare(a.pgid, b.pgid, kPgid, &m);
  Compare(a.sid, b.sid, kSid, &m);
  Compare(a.tty_nr, b.tty_nr, kTtyNr, &m);
  Compare(a.ns_pid, b.ns_pid, kNsPid, &m);
  return m;
}

void ProcessFields::Put(const Process& p, uint32_t m, std::string* out) {
  if (m & kPid) PutSigned(out, p.pid);
  if (m & kStarttime) PutVarint(out, p.starttime_ticks);
  if (m & kPpid) PutSigned(out, p.ppid);
  if (m & kState) out->push_back(p.state);
  if (m & kStartedAt) PutTime(out, p.started_at);
  if (m & kComm) PutString(out, p.comm);
  if (m & kArgv) PutStrings(out, p.argv);
  if (m & kUid) PutOptional(out, p.uid);
  if (m & kThreads) PutSigned(out, p.threads);
  if (m & kRss) PutOptional(out, p.rss_bytes);
  if (m & kPss) PutOptional(out, p.pss_bytes);
  if (m & kExe) PutString(out, p.exe);
  if (m & kKernelThread) out->push_back(p.kernel_thread ? 1 : 0);
  if (m & kCgroupLines) PutMemberships(out, p.cgroup_lines);
  if (m & kProcessCgroup) PutString(out, p.cgroup);
  if (m & kProcessContainer) PutString(out, p.container);
  if (m & kPgid) PutSigned(out, p.pgid);
  if (m & kSid) PutSigned(out, p.sid);
  if (m & kTtyNr) PutSigned(out, p.tty_nr);
  if (m & kNsPid) PutOptionalInt(out, p.ns_pid);
}

bool ProcessFields::Get(ByteReader& in, uint32_t m, Process* p) {
  uint8_t byte;
  if (m & ~kAll) return false;
  if ((m & kPid) && !in.Int(&p->pid)) return false;
  if ((m & kStarttime) && !in.Varint(&p->starttime_ticks)) return false;
  if ((m & kPpid) && !in.Int(&p->ppid)) return false;
  if (m & kState) {
    if (!in.Byte(&byte)) return false;
    p->state = static_cast<char>(byte);
  }
  if ((m & kStartedAt) && !GetTime(in, &p->started_at)) return false;
  if ((m & kComm) && !in.String(&p->comm)) return false;
  if ((m & kArgv) && !GetStrings(in, &p->argv)) return false;
  if ((m & kUid) && !GetUid(in, &p->uid)) return false;
  if ((m & kThreads) && !in.Int(&p->threads)) return false;
  if ((m & kRss) && !GetOptional(in, &p->rss_bytes)) return false;
  if ((m & kPss) && !GetOptional(in, &p->pss_bytes)) return false;
  if ((m & kExe) && !in.String(&p->exe)) return false;
  if (m & kKernelThread) {
    if (!in.Byte(&byte) || byte > 1) return false;
    p->kernel_thread = byte == 1;
  }
  if ((m & kCgroupLines) && !GetMemberships(in, &p->cgroup_lines)) return false;
  if ((m & kProcessCgroup) && !in.String(&p->cgroup)) return false;
  if ((m & kProcessContainer) && !in.String(&p->container)) return false;
  if ((m & kPgid) && !in.Int(&p->pgid)) return false;
  if ((m & kSid) && !in.Int(&p->sid)) return false;
  if ((m & kTtyNr) && !in.Int(&p->tty_nr)) return false;
  if ((m & kNsPid) && !GetOptionalInt(in, &p->ns_pid)) return false;
  return true;
}

namespace {
// Cgroup fields, in mask bit order.
enum : uint32_t {
  kPath = 1 << 0,
  kMemory = 1 << 1,
  kMemoryLimit = 1 << 2,
  kPeak = 1 << 3,
  kMemoryStat = 1 << 4,
  kOomKills = 1 << 5,
  kLimitHits = 1 << 6,
  kPidsCurrent = 1 << 7,
  kPidsMax = 1 << 8,
  kPressure = 1 << 9,
  kPids = 1 << 10,
};
}  // namespace

uint32_t CgroupFields::Diff(const Cgroup& a, const Cgroup& b) {
  uint32_t m = 0;
  Compare(a.memory_bytes, b.memory_bytes, kMemory, &m);
  Compare(a.memory_limit, b.memory_limit, kMemoryLimit, &m);
  Compare(a.memory_peak_bytes, b.memory_peak_bytes, kPeak, &m);
  Compare(a.memory_stat, b.memory_stat, kMemoryStat, &m);
  Compare(a.oom_kills, b.oom_kills, kOomKills, &m);
  Compare(a.limit_hits, b.limit_hits, kLimitHits, &m);
  Compare(a.pids_current, b.pids_current, kPidsCurrent, &m);
  Compare(a.pids_max, b.pids_max, kPidsMax, &m);
  Compare(a.memory_pressure, b.memory_pressure, kPressure, &m);
  Compare(a.pids, b.pids, kPids, &m);
  return m;
}

void CgroupFields::Put(const Cgroup& c, uint32_t m, std::string* out) {
  if (m & kPath) PutString(out, c.path);
  if (m & kMemory) PutOptional(out, c.memory_bytes);
  if (m & kMemoryLimit) PutLimit(out, c.memory_limit);
  if (m & kPeak) PutOptional(out, c.memory_peak_bytes);
  if (m & kMemoryStat) PutMemoryStat(out, c.memory_stat);
  if (m & kOomKills) PutOptional(out, c.oom_kills);
  if (m & kLimitHits) PutOptional(out, c.limit_hits);
  if (m & kPidsCurrent) PutOptional(out, c.pids_current);
  if (m & kPidsMax) PutLimit(out, c.pids_max);
  if (m & kPressure) PutPressure(out, c.memory_pressure);
  if (m & kPids) PutPids(out, c.pids);
}

bool CgroupFields::Get(ByteReader& in, uint32_t m, Cgroup* c) {
  return !(m & ~kAll) && (!(m & kPath) || in.String(&c->path)) &&
         (!(m & kMemory) || GetOptional(in, &c->memory_bytes)) &&
         (!(m & kMemoryLimit) || GetLimit(in, &c->memory_limit)) &&
         (!(m & kPeak) || GetOptional(in, &c->memory_peak_bytes)) &&
         (!(m & kMemoryStat) || GetMemoryStat(in, &c->memory_stat)) &&
         (!(m & kOomKills) || GetOptional(in, &c->oom_kills)) &&
         (!(m & kLimitHits) || GetOptional(in, &c->limit_hits)) &&
         (!(m & kPidsCurrent) || GetOptional(in, &c->pids_current)) &&
         (!(m & kPidsMax) || GetLimit(in, &c->pids_max)) &&
         (!(m & kPressure) || GetPressure(in, &c->memory_pressure)) &&
         (!(m & kPids) || GetPids(in, &c->pids));
}

namespace {
// Container fields, in mask bit order.
enum : uint32_t {
  kId = 1 << 0,
  kRuntime = 1 << 1,
  kName = 1 << 2,
  kContainerCgroup = 1 << 3,
  kContainerMemory = 1 << 4,
  kContainerLimit = 1 << 5,
  kContainerOom = 1 << 6,
  kContainerPidsCurrent = 1 << 7,
  kContainerPidsMax = 1 << 8,
  kContainerPressure = 1 << 9,
  kRestartCount = 1 << 10,
  kRestartPolicy = 1 << 11,
  kContainerState = 1 << 12,
  kContainerStartedAt = 1 << 13,
  kInitPid = 1 << 14,
  kContainerPids = 1 << 15,
};
}  // namespace

uint32_t ContainerFields::Diff(const Container& a, const Container& b) {
  uint32_t m = 0;
  Compare(a.name, b.name, kName, &m);
  Compare(a.cgroup, b.cgroup, kContainerCgroup, &m);
  Compare(a.memory_bytes, b.memory_bytes, kContainerMemory, &m);
  Compare(a.memory_limit, b.memory_limit, kContainerLimit, &m);
  Compare(a.oom_kills, b.oom_kills, kContainerOom, &m);
  Compare(a.pids_current, b.pids_current, kContainerPidsCurrent, &m);
  Compare(a.pids_max, b.pids_max, kContainerPidsMax, &m);
  Compare(a.memory_pressure, b.memory_pressure, kContainerPressure, &m);
  Compare(a.restart_count, b.restart_count, kRestartCount, &m);
  Compare(a.restart_policy, b.restart_policy, kRestartPolicy, &m);
  Compare(a.state, b.state, kContainerState, &m);
  Compare(a.started_at, b.started_at, kContainerStartedAt, &m);
  Compare(a.init_pid, b.init_pid, kInitPid, &m);
  Compare(a.pids, b.pids, kContainerPids, &m);
  return m;
}

void ContainerFields::Put(const Container& c, uint32_t m, std::string* out) {
  if (m & kId) PutString(out, c.id);
  if (m & kRuntime) PutString(out, c.runtime);
  if (m & kName) PutString(out, c.name);
  if (m & kContainerCgroup) PutString(out, c.cgroup);
  if (m & kContainerMemory) PutOptional(out, c.memory_bytes);
  if (m & kContainerLimit) PutLimit(out, c.memory_limit);
  if (m & kContainerOom) PutOptional(out, c.oom_kills);
  if (m & kContainerPidsCurrent) PutOptional(out, c.pids_current);
  if (m & kContainerPidsMax) PutLimit(out, c.pids_max);
  if (m & kContainerPressure) PutPressure(out, c.memory_pressure);
  if (m & kRestartCount) PutOptional(out, c.restart_count);
  if (m & kRestartPolicy) PutString(out, c.restart_policy);
  if (m & kContainerState) PutString(out, c.state);
  if (m & kContainerStartedAt) PutOptionalTime(out, c.started_at);
  if (m & kInitPid) PutSigned(out, c.init_pid);
  if (m & kContainerPids) PutPids(out, c.pids);
}

bool ContainerFields::Get(ByteReader& in, uint32_t m, Container* c) {
  return !(m & ~kAll) && (!(m & kId) || in.String(&c->id)) &&
         (!(m & kRuntime) || in.String(&c->runtime)) && (!(m & kName) || in.String(&c->name)) &&
         (!(m & kContainerCgroup) || in.String(&c->cgroup)) &&
         (!(m & kContainerMemory) || GetOptional(in, &c->memory_bytes)) &&
         (!(m & kContainerLimit) || GetLimit(in, &c->memory_limit)) &&
         (!(m & kContainerOom) || GetOptional(in, &c->oom_kills)) &&
         (!(m & kContainerPidsCurrent) || GetOptional(in, &c->pids_current)) &&
         (!(m & kContainerPidsMax) || GetLimit(in, &c->pids_max)) &&
         (!(m & kContainerPressure) || GetPressure(in, &c->memory_pressure)) &&
         (!(m & kRestartCount) || GetOptional(in, &c->restart_count)) &&
         (!(m & kRestartPolicy) || in.String(&c->restart_policy)) &&
         (!(m & kContainerState) || in.String(&c->state)) &&
         (!(m & kContainerStartedAt) || GetOptionalTime(in, &c->started_at)) &&
         (!(m & kInitPid) || in.Int(&c->init_pid)) &&
         (!(m & kContainerPids) || GetPids(in, &c->pids));
}

}  // namespace procleak::store
