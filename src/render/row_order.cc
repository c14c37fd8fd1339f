// SPDX-License-Identifier: Apache-2.0
#include "render/row_order.h"

#include <algorithm>
#include <iterator>

#include "render/format.h"

namespace procleak {
namespace {

// Largest first; `unknown` values after every known one.
int CompareSize(const std::optional<uint64_t>& a, const std::optional<uint64_t>& b) {
  if (a.has_value() != b.has_value()) return a.has_value() ? -1 : 1;
  if (!a || *a == *b) return 0;
  return *a > *b ? -1 : 1;
}

bool ByMemory(const RowKeys& a, const RowKeys& b) {
  if (int c = CompareSize(a.charge, b.charge); c != 0) return c < 0;
  // A charge and an RSS sum are not comparable: rows without a charge (a process, a cgroup whose
  // memory files were not readable) follow, by RSS.
  return !a.charge && a.rss > b.rss;
}
bool ByRss(const RowKeys& a, const RowKeys& b) { return a.rss > b.rss; }
bool ByPss(const RowKeys& a, const RowKeys& b) {
  if (int c = CompareSize(a.pss, b.pss); c != 0) return c < 0;
  return !a.pss && a.rss > b.rss;
}
bool ByCount(const RowKeys& a, const RowKeys& b) { return a.count > b.count; }
bool ByPid(const RowKeys& a, const RowKeys& b) {
  if (a.pid.has_value() != b.pid.has_value()) return a.pid.has_value();
  return a.pid && *a.pid < *b.pid;
}
bool ByName(const RowKeys& a, const RowKeys& b) { return a.name < b.name; }

struct Order {
  SortKey key;
  const char* name;
  bool (*before)(const RowKeys&, const RowKeys&);
};

// One row per key, in the enum's order.
constexpr Order kOrders[] = {
    {SortKey::kMemory, "memory", ByMemory}, {SortKey::kRss, "rss", ByRss},
    {SortKey::kPss, "pss", ByPss},          {SortKey::kCount, "count", ByCount},
    {SortKey::kPid, "pid", ByPid},          {SortKey::kName, "name", ByName},
};

constexpr bool OrdersInKeyOrder() {
  for (size_t i = 0; i < std::size(kOrders); ++i) {
    if (static_cast<size_t>(kOrders[i].key) != i) return false;
  }
  return std::size(kOrders) == static_cast<size_t>(SortKey::kName) + 1;
}
static_assert(OrdersInKeyOrder(), "one row per SortKey, in the enum's order");

const Order& OrderOf(SortKey key) { return kOrders[static_cast<size_t>(key)]; }

// Sums over the processes `pids` names.
void AddProcesses(const Snapshot& s, std::span<const int> pids, RowKeys* keys) {
  bool any_pss = false;
  uint64_t pss = 0;
  for (int pid : pids) {
    const Process* p = s.FindProcess(pid);
    if (p == nullptr) continue;
    keys->rss += p->rss_bytes.value_or(0);
    if (p->pss_bytes) {
      any_pss = true;
      pss += *p->pss_bytes;
    }
  }
  if (any_pss) keys->pss = pss;
  keys->count = pids.size();
}

}  // namespace

std::optional<SortKey> ParseSortKey(std::string_view text) {
  for (const Order& o : kOrders) {
    if (text == o.name) return o.key;
  }
  return std::nullopt;
}

const char* SortKeyName(SortKey key) { return OrderOf(key).name; }

std::string_view SortKeyChoices() { return "memory, rss, pss, count, pid or name"; }

RowKeys KeysOf(const Snapshot& snapshot, const Container& c) {
  RowKeys keys;
  keys.charge = c.memory_bytes;
  AddProcesses(snapshot, c.pids, &keys);
  if (c.init_pid > 0) {
    keys.pid = c.init_pid;
  } else if (!c.pids.empty()) {
    keys.pid = c.pids.front();
  }
  keys.name = c.name.empty() ? c.id : c.name;
  return keys;
}

RowKeys KeysOf(const Snapshot& snapshot, const Cgroup& c) {
  RowKeys keys;
  keys.charge = c.memory_bytes;
  AddProcesses(snapshot, c.pids, &keys);
  if (!c.pids.empty()) keys.pid = c.pids.front();
  keys.name = CgroupName(snapshot, c);
  return keys;
}

RowKeys KeysOf(const Process& p) {
  RowKeys keys;
  keys.rss = p.rss_bytes.value_or(0);
  keys.pss = p.pss_bytes;
  keys.count = 1 + static_cast<size_t>(std::max(0, p.descendants));
  keys.pid = p.pid;
  keys.name = p.comm;
  return keys;
}

bool RowBefore(SortKey key, const RowKeys& a, const RowKeys& b) {
  return OrderOf(key).before(a, b);
}

}  // namespace procleak
