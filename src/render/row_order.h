// SPDX-License-Identifier: Apache-2.0
#pragma once
// The order of the rows of the text report's tables (scan --sort KEY): one set of sort keys
// computed per row, whatever the row is (a container, a cgroup, a process), and one comparator
// per key over those.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "procleak/snapshot.h"

namespace procleak {

// memory is the default: today's order of every table.
enum class SortKey { kMemory, kRss, kPss, kCount, kPid, kName };

// "memory", "rss", "pss", "count", "pid", "name"; nullopt for anything else.
std::optional<SortKey> ParseSortKey(std::string_view text);
const char* SortKeyName(SortKey key);
// "memory, rss, pss, count, pid or name", for messages.
std::string_view SortKeyChoices();

// What a row is sorted by, the same for every kind of row (procleak(1), --sort):
//   container, cgroup: charge = the cgroup's memory use; rss, pss = the sums over its processes;
//                      count = its processes; pid = a container's init, else its lowest pid;
//                      name = a container's name (else id), a cgroup's name as the table shows
//                      it (CgroupName: "docker web", "nginx.service").
//   process:           no charge (memory orders by rss); count = 1 + its descendants;
//                      name = comm.
struct RowKeys {
  std::optional<uint64_t> charge;
  uint64_t rss = 0;
  std::optional<uint64_t> pss;
  size_t count = 0;
  std::optional<int> pid;
  std::string name;
};

RowKeys KeysOf(const Snapshot& snapshot, const Container& container);
RowKeys KeysOf(const Snapshot& snapshot, const Cgroup& cgroup);
RowKeys KeysOf(const Process& process);

// Whether row `a` goes before row `b` under `key`: sizes largest first (memory: rows with a
// charge first, by it, then the rest by rss; pss: unknown last, then by rss), pid and name
// ascending (unknown pid last). Equal rows keep their order (the callers sort stably).
bool RowBefore(SortKey key, const RowKeys& a, const RowKeys& b);

// `rows` stably sorted by `key`, their keys computed once.
template <typename Row, typename KeysFn>
void SortRows(std::vector<const Row*>& rows, SortKey key, KeysFn keys_of) {
  std::vector<std::pair<RowKeys, const Row*>> keyed;
  keyed.reserve(rows.size());
  for (const Row* r : rows) keyed.emplace_back(keys_of(*r), r);
  std::stable_sort(keyed.begin(), keyed.end(), [key](const auto& a, const auto& b) {
    return RowBefore(key, a.first, b.first);
  });
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = keyed[i].second;
}

}  // namespace procleak
