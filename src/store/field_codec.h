// SPDX-License-Identifier: Apache-2.0
#pragma once
// Field-by-field encoding of the records a snapshot holds (Process, Cgroup, Container): which
// fields differ between two versions of a record, and writing or reading a chosen set of them.

#include <cstdint>
#include <string>
#include <tuple>

#include "procleak/snapshot.h"
#include "store/varint.h"

namespace procleak::store {

// Each record type numbers its stored fields; bit N of a mask stands for field N (see
// procleak-record(5)). kIdentity is the part of the key that says "the same record": a record
// whose identity changed is written as removed plus added, never as changed. Diff never sets
// identity bits. Get returns false on malformed input, leaving `record` partly updated.
// AllIn(version) is every field a record of that format version holds: an added record is
// written with all of them, and a mask naming any other is malformed.
struct ProcessFields {
  using Record = Process;
  static constexpr uint32_t kIdentity = 0x3;  // pid, starttime_ticks
  static constexpr uint32_t kAll = 0xfffff;
  // Version 1 had no process group, session, terminal or in-namespace pid (bits 16-19).
  static constexpr uint32_t AllIn(uint32_t version) { return version == 1 ? 0xffff : kAll; }
  static bool Less(const Process& a, const Process& b) { return a.pid < b.pid; }
  static bool SameIdentity(const Process& a, const Process& b) {
    return a.starttime_ticks == b.starttime_ticks;
  }
  static uint32_t Diff(const Process& before, const Process& after);
  static void Put(const Process& p, uint32_t mask, std::string* out);
  static bool Get(ByteReader& in, uint32_t mask, Process* p);
};

struct CgroupFields {
  using Record = Cgroup;
  static constexpr uint32_t kIdentity = 0x1;  // path
  static constexpr uint32_t kAll = 0x7ff;
  static constexpr uint32_t AllIn(uint32_t) { return kAll; }
  static bool Less(const Cgroup& a, const Cgroup& b) { return a.path < b.path; }
  static bool SameIdentity(const Cgroup&, const Cgroup&) { return true; }
  static uint32_t Diff(const Cgroup& before, const Cgroup& after);
  static void Put(const Cgroup& c, uint32_t mask, std::string* out);
  static bool Get(ByteReader& in, uint32_t mask, Cgroup* c);
};

struct ContainerFields {
  using Record = Container;
  static constexpr uint32_t kIdentity = 0x3;  // id, runtime
  static constexpr uint32_t kAll = 0xffff;
  static constexpr uint32_t AllIn(uint32_t) { return kAll; }
  // The order Snapshot::Build keeps containers in.
  static bool Less(const Container& a, const Container& b) {
    return std::tie(a.runtime, a.id) < std::tie(b.runtime, b.id);
  }
  static bool SameIdentity(const Container&, const Container&) { return true; }
  static uint32_t Diff(const Container& before, const Container& after);
  static void Put(const Container& c, uint32_t mask, std::string* out);
  static bool Get(ByteReader& in, uint32_t mask, Container* c);
};

}  // namespace procleak::store
