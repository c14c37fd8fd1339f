// SPDX-License-Identifier: Apache-2.0
// procleak reap: plans which surplus chains to stop from a fresh scan, prints the plan (dry run)
// or stops those chains whole (--apply, reap_stopper.h) and reports what became of each process.

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "analysis/reap_plan.h"
#include "base/text_format.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/pidfd.h"
#include "cli/reap_report.h"
#include "cli/reap_stopper.h"
#include "fmt/format.h"
#include "model/container_match.h"
#include "render/json_report.h"

namespace procleak {
namespace {

// The id of the one container `wanted` names, as docker takes it: a whole name or id, else a
// prefix of one id. A misspelt name would otherwise plan nothing and read as "no leak there"; an
// ambiguous prefix would reach several containers where the operator meant one.
absl::StatusOr<std::string> OneContainerNamed(const Snapshot& s, const std::string& wanted) {
  std::vector<const Container*> exact, prefixed;
  for (const Container& c : s.containers()) {
    if (c.id == wanted || (!c.name.empty() && c.name == wanted)) exact.push_back(&c);
    if (ContainerNamed(c.id, c.name, wanted)) prefixed.push_back(&c);
  }
  const std::vector<const Container*>& named = exact.empty() ? prefixed : exact;
  if (named.size() == 1) return named.front()->id;
  if (named.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("reap: --container {}: no such container (name, id or id prefix)", wanted));
  }
  std::vector<std::string> ids;
  for (const Container* c : named) ids.emplace_back(ShortId(c->id));
  return absl::InvalidArgumentError(
      fmt::format("reap: --container {}: names {} containers ({}): give more of the id", wanted,
                  named.size(), fmt::join(ids, ", ")));
}

ReapSelection SelectionOf(const CliArgs& args) {
  ReapSelection sel;
  sel.findings = args.findings;
  sel.signature = args.signature;
  sel.container = args.container;
  sel.pids = args.pids;
  if (args.keep == "newest") {
    sel.keep = {ReapKeep::Mode::kNewest, 1};
  } else if (args.keep == "oldest") {
    sel.keep = {ReapKeep::Mode::kOldest, 1};
  } else if (!args.keep.empty()) {
    sel.keep = {ReapKeep::Mode::kNewest, std::atoi(args.keep.c_str())};
  }
  return sel;
}

// Never signalled when found below a stopped process (the plan marks planned ones).
std::map<int, std::string> ProtectedPids(const Snapshot& snapshot, int self,
                                         const std::vector<int>& ancestors) {
  std::map<int, std::string> out;
  for (const Container& c : snapshot.containers()) {
    if (c.init_pid > 0) out[c.init_pid] = "the container's init";
  }
  for (int pid : ancestors) out[pid] = "an ancestor of procleak";
  out[self] = "procleak itself";
  return out;
}

}  // namespace

int RunReapStages(const CliArgs& args, const std::function<void()>& after_plan,
                  std::string* report) {
  absl::StatusOr<std::optional<Rules>> rules = LoadRulesOf(args);
  if (!rules.ok()) return Fail(rules.status());
  // No seccomp filter: reap opens pidfds and sends signals (see procleak(1), reap).
  absl::StatusOr<Snapshot> snapshot = Scan(ScanOptionsOf(args));
  if (!snapshot.ok()) return Fail(snapshot.status());
  ReapSelection selection = SelectionOf(args);
  if (!args.container.empty()) {
    absl::StatusOr<std::string> id = OneContainerNamed(*snapshot, args.container);
    if (!id.ok()) return Fail(id.status());
    selection.container = *id;  // the whole id: the plan selects that container alone
  }
  const Analysis analysis = Analyze(*snapshot, *rules ? &**rules : nullptr);
  // A snapshot of another root (a fixture tree) holds none of this machine's processes.
  const bool this_host = args.root == "/";
  const std::vector<int> ancestors = this_host ? SelfAncestors() : std::vector<int>();
  const ReapPlan plan =
      PlanReap(*snapshot, analysis, selection, this_host ? getpid() : 0, ancestors);
  ReapActed acted = DryRunResults(plan);
  if (args.apply) {
    if (after_plan) after_plan();
    ReapStopOptions options;
    options.grace = args.grace;
    options.protected_pids = ProtectedPids(*snapshot, getpid(), ancestors);
    PidfdSystem system(plan.order.size() + options.max_found);
    acted = StopChains(plan, options, &system);
  }
  *report = args.json ? DumpJson(ReapJson(*snapshot, plan, acted, args), 2) + "\n"
                      : ReapText(plan, acted, args);
  return ReapExitStatus(plan, acted, args.apply);
}

int RunReap(const CliArgs& args) {
  std::string report;
  const int status = RunReapStages(args, nullptr, &report);
  if (report.empty()) return status;  // failed before planning: the error is printed
  const int written = Write(report);
  return written != kExitOk ? written : status;
}

}  // namespace procleak
