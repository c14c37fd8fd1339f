// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: GoogleTest prints a Process field by field when an expectation on it fails.

#include <ostream>

#include "procleak/snapshot.h"

namespace procleak {

inline void PrintTo(const Process& p, std::ostream* os) {
  auto opt = [](const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : "none"; };
  *os << "{pid " << p.pid << " ppid " << p.ppid << " pgid " << p.pgid << " sid " << p.sid
      << " tty_nr " << p.tty_nr << " ns_pid " << (p.ns_pid ? std::to_string(*p.ns_pid) : "none")
      << " state " << p.state << " starttime " << p.starttime_ticks << " started_at "
      << p.started_at << " comm '" << p.comm << "' argv [";
  for (const std::string& arg : p.argv) *os << "'" << arg << "' ";
  *os << "] uid " << (p.uid ? std::to_string(*p.uid) : "none") << " threads " << p.threads
      << " rss " << opt(p.rss_bytes) << " pss " << opt(p.pss_bytes) << " exe '" << p.exe
      << "' kthread " << p.kernel_thread << " cgroup_lines " << p.cgroup_lines.size() << " cgroup '"
      << p.cgroup << "' container '" << p.container << "' children " << p.children.size()
      << " descendants " << p.descendants << " subtree_rss " << p.subtree_rss_bytes << "}";
}

}  // namespace procleak
