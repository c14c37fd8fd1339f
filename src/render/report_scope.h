// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the text report shows when filtered (scan --container, --user, --cgroup): the processes
// that pass every filter given, and the containers, cgroups and findings they make up.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "procleak/analysis.h"
#include "procleak/snapshot.h"

namespace procleak {

struct ReportFilter {
  std::string container;        // a container's name, id or id prefix; "" any
  std::optional<uint32_t> uid;  // processes of this effective uid only
  std::string user;             // the user as given, for the note ("alice", "1000")
  std::string cgroup;           // a cgroup path: it and the cgroups below it; "" any
  bool empty() const { return container.empty() && !uid && cgroup.empty(); }
};

// A cgroup path as --cgroup takes it: with a leading '/', without trailing ones ("/" stays).
std::string NormalizeCgroupPath(std::string_view path);
// Whether `path` is `under` or below it, component-wise (/a matches /a and /a/b, not /ab).
bool CgroupUnder(std::string_view path, std::string_view under);

// Immutable; keeps pids, ids and paths, no pointers: it stays valid for a snapshot refined from
// the one it was made of (RefineRss keeps processes, cgroups and containers).
class ReportScope {
 public:
  // Everything is shown.
  ReportScope() = default;
  // An error when `filter.container` names no container of the snapshot: "container 'x': no
  // such container in the scan (a name, an id or an id prefix)".
  static absl::StatusOr<ReportScope> Make(const Snapshot& snapshot, const ReportFilter& filter);

  bool all() const { return all_; }
  bool Shows(const Process& p) const { return all_ || pids_.contains(p.pid); }
  // A container is shown when the filter names it or one of its processes is shown.
  bool ShowsContainer(const std::string& id) const { return all_ || containers_.contains(id); }
  // A cgroup is shown when one of its processes is, or it is the cgroup of a shown container.
  bool ShowsCgroup(const std::string& path) const { return all_ || cgroups_.contains(path); }
  // A finding is shown when one of its processes (or of its group's chains) is shown, else, for a
  // finding about a container or cgroup without processes named, when that one is shown.
  bool ShowsFinding(const Finding& f, const Analysis& analysis) const;
  // "showing container web (4 of 120 processes)", "" when everything is shown.
  const std::string& note() const { return note_; }

 private:
  bool all_ = true;
  absl::flat_hash_set<int> pids_;
  absl::flat_hash_set<std::string> containers_;
  absl::flat_hash_set<std::string> cgroups_;
  std::string note_;
};

}  // namespace procleak
