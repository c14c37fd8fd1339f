// SPDX-License-Identifier: Apache-2.0
#pragma once
// Snapshots for the record tests (every optional absent, present and unlimited; hostile
// strings; a changing sequence), field-by-field comparison, and record files in a temp dir.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "procleak/record.h"
#include "procleak/snapshot.h"

namespace procleak::testing {

// 2026-11-23 10:00:00.123456789 UTC: nanoseconds, so a lost digit shows.
absl::Time RecordEpoch();

// Every field of every record set, limits both numbers and unlimited, extremes of each type.
Snapshot FullSnapshot(absl::Time at);
// Every optional absent, every string and list empty.
Snapshot SparseSnapshot(absl::Time at);
// comm with ')' and newlines, empty and huge argv, non-UTF-8 and NUL bytes, odd pids.
Snapshot HostileSnapshot(absl::Time at);
// `n` snapshots 10 s apart in which processes, cgroups and containers come, go and change
// (including a pid reused by a new process, and values going from present to absent).
std::vector<Snapshot> ChangingSnapshots(int n);
// `s` as a record of format version 1 keeps it: without the process group, session, terminal and
// ns_pid of version 2.
Snapshot AsVersionOne(const Snapshot& s);
// The eight moments of tests/data/records/v2-eight-moments.plr, a record of format version 2
// written from them before version 3: ChangingSnapshots(5), then HostileSnapshot, SparseSnapshot
// and FullSnapshot 10 s apart. The file cannot be written again, so these must keep the values
// they had for fields of versions 1 and 2.
std::vector<Snapshot> VersionTwoFixtureMoments();

void ExpectSameSnapshot(const Snapshot& want, const Snapshot& got);

// A directory for record files: /dev/shm when writable, since fdatasync there costs nothing
// and these tests check the format, not the disk.
std::string FastTempParent();

std::string ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, std::string_view bytes);

// Opens (creating) `path` for RecordWriter and appends every snapshot; *notice gets Open's.
absl::Status AppendAll(const std::string& path, const std::vector<Snapshot>& snapshots,
                       std::string* notice = nullptr);

}  // namespace procleak::testing
