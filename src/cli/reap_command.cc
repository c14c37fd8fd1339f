// SPDX-License-Identifier: Apache-2.0
// procleak reap: plans which surplus chains to stop from a fresh scan, prints the plan (dry run)
// or signals it (--apply) and reports what became of each process.

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include "analysis/reap_plan.h"
#include "base/text_format.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/pidfd.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "render/json_report.h"

namespace procleak {
namespace {

using Json = nlohmann::ordered_json;

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

// What happened (or would happen) to each planned process, by pid.
using Results = std::map<int, ReapResult>;

Results DryRun(const ReapPlan& plan) {
  Results out;
  for (const ReapProcess& p : plan.order) {
    out[p.pid] = p.protected_reason.empty()
                     ? ReapResult{ReapOutcome::kWouldSignal, ""}
                     : ReapResult{ReapOutcome::kSkipped, "protected: " + p.protected_reason};
  }
  return out;
}

std::map<ReapOutcome, int> Tally(const Results& results) {
  std::map<ReapOutcome, int> n;
  for (const auto& [pid, r] : results) ++n[r.outcome];
  return n;
}

int Chains(const ReapPlan& plan) {
  int n = 0;
  for (const ReapGroup& g : plan.groups) n += static_cast<int>(g.stop.size());
  return n;
}

std::string Where(const ReapGroup& g) {
  if (g.container.empty()) return "on the host";
  return fmt::format("in container {} ({})",
                     SanitizeForTerminal(g.container_name.empty() ? "?" : g.container_name),
                     g.container.substr(0, 12));
}

std::string Text(const ReapPlan& plan, const Results& results, const CliArgs& args) {
  std::string out =
      args.apply ? "procleak reap: signalling (SIGTERM leaves first, SIGKILL after the grace)\n"
                 : "procleak reap: dry run, nothing is signalled (--apply to act)\n";
  if (plan.groups.empty()) out += "\nno chain of a selected finding matches the selection\n";
  for (const ReapGroup& g : plan.groups) {
    std::string kinds;
    for (const std::string& k : g.findings) kinds += (kinds.empty() ? "" : ", ") + k;
    out += fmt::format("\n{} {}: {}\n", kinds, Where(g), SanitizeForTerminal(g.signature));
    out += fmt::format("  {} chains, {} expected; keeping {}:", g.count,
                       g.expected ? fmt::format("{}", *g.expected) : "none", g.keep);
    for (const ReapChainRef& k : g.kept) {
      out += fmt::format(" root {} (started {})", k.root_pid, FormatRfc3339(k.started_at));
    }
    out += g.kept.empty() ? " none\n" : "\n";
    if (g.stop.empty()) out += "  nothing to stop\n";
    for (const ReapChain& c : g.stop) {
      out += fmt::format(
          "  stop chain {} started {} ({}, {}): {}\n", c.root_pid, FormatRfc3339(c.started_at),
          FormatBytes(c.rss_bytes),
          c.processes.size() == 1 ? "1 process" : fmt::format("{} processes", c.processes.size()),
          c.reason);
      for (const ReapProcess& p : c.processes) {
        const ReapResult& r = results.at(p.pid);
        out += fmt::format("    {:>8}  {:<12}  {}{}\n", p.pid, ReapOutcomeName(r.outcome),
                           SanitizeForTerminal(ShortenEnd(CommandLine(p.argv, p.comm), 100)),
                           r.detail.empty() ? "" : fmt::format("  ({})", r.detail));
      }
    }
  }
  if (!plan.notes.empty()) out += "\n";
  for (const std::string& note : plan.notes) out += "note: " + note + "\n";
  std::map<ReapOutcome, int> n = Tally(results);
  if (args.apply) {
    out += fmt::format(
        "\n{} processes in {} chains: {} terminated, {} killed, {} gone, {} skipped, {} failed\n",
        plan.order.size(), Chains(plan), n[ReapOutcome::kTerminated], n[ReapOutcome::kKilled],
        n[ReapOutcome::kGone], n[ReapOutcome::kSkipped], n[ReapOutcome::kFailed]);
  } else {
    out += fmt::format(
        "\nwould signal {} processes in {} chains (SIGTERM, then SIGKILL after {}); {} "
        "protected\n",
        n[ReapOutcome::kWouldSignal], Chains(plan), absl::FormatDuration(args.grace),
        n[ReapOutcome::kSkipped]);
  }
  return out;
}

Json OrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json ProcessJson(const ReapProcess& p, const ReapResult& r) {
  return {{"pid", p.pid},
          {"ppid", p.ppid},
          {"starttime_ticks", p.starttime_ticks},
          {"comm", p.comm},
          {"argv", p.argv},
          {"cmdline", CommandLine(p.argv, p.comm)},
          {"command_signature", p.command_signature},
          {"protected", OrNull(p.protected_reason)},
          {"result", ReapOutcomeName(r.outcome)},
          {"detail", OrNull(r.detail)}};
}

Json JsonDoc(const Snapshot& snapshot, const ReapPlan& plan, const Results& results,
             const CliArgs& args) {
  Json groups = Json::array();
  for (const ReapGroup& g : plan.groups) {
    Json kept = Json::array();
    for (const ReapChainRef& k : g.kept) {
      kept.push_back({{"root_pid", k.root_pid}, {"started_at", FormatRfc3339(k.started_at)}});
    }
    Json stop = Json::array();
    for (const ReapChain& c : g.stop) {
      Json processes = Json::array();
      for (const ReapProcess& p : c.processes)
        processes.push_back(ProcessJson(p, results.at(p.pid)));
      stop.push_back({{"root_pid", c.root_pid},
                      {"started_at", FormatRfc3339(c.started_at)},
                      {"orphaned", c.orphaned},
                      {"finding", c.finding},
                      {"reason", c.reason},
                      {"rss_bytes", c.rss_bytes},
                      {"processes", std::move(processes)}});
    }
    groups.push_back({{"container", g.container},
                      {"container_name", OrNull(g.container_name)},
                      {"signature", g.signature},
                      {"count", g.count},
                      {"expected", g.expected ? Json(*g.expected) : Json(nullptr)},
                      {"findings", g.findings},
                      {"keep", g.keep},
                      {"kept", std::move(kept)},
                      {"stop", std::move(stop)}});
  }
  Json order = Json::array();
  for (const ReapProcess& p : plan.order) order.push_back(p.pid);
  std::map<ReapOutcome, int> n = Tally(results);
  Json summary = {
      {"groups", plan.groups.size()}, {"chains", Chains(plan)}, {"processes", plan.order.size()}};
  for (ReapOutcome o : {ReapOutcome::kWouldSignal, ReapOutcome::kTerminated, ReapOutcome::kKilled,
                        ReapOutcome::kGone, ReapOutcome::kSkipped, ReapOutcome::kFailed}) {
    summary[ReapOutcomeName(o)] = n[o];
  }
  return {{"schema", "procleak.reap/1"},
          {"mode", args.apply ? "apply" : "dry_run"},
          {"scanned_at", FormatRfc3339(snapshot.host().scanned_at)},
          {"selection",
           {{"findings", args.findings.empty() ? Json::array({kDuplicateChain, kOrphanedChain})
                                               : Json(args.findings)},
            {"signature", OrNull(args.signature)},
            {"container", OrNull(args.container)},
            {"pids", args.pids},
            {"keep", args.keep.empty() ? "default" : args.keep},
            {"grace_seconds", absl::ToDoubleSeconds(args.grace)}}},
          {"groups", std::move(groups)},
          {"order", std::move(order)},
          {"notes", plan.notes},
          {"summary", std::move(summary)}};
}

}  // namespace

int RunReap(const CliArgs& args) {
  absl::StatusOr<std::optional<Rules>> rules = LoadRulesOf(args);
  if (!rules.ok()) return Fail(rules.status());
  // No seccomp filter: reap opens pidfds and sends signals (see procleak(1), reap).
  absl::StatusOr<Snapshot> snapshot = Scan(ScanOptionsOf(args));
  if (!snapshot.ok()) return Fail(snapshot.status());
  const Analysis analysis = Analyze(*snapshot, *rules ? &**rules : nullptr);
  // A snapshot of another root (a fixture tree) holds none of this machine's processes.
  const bool this_host = args.root == "/";
  const ReapPlan plan = PlanReap(*snapshot, analysis, SelectionOf(args), this_host ? getpid() : 0,
                                 this_host ? SelfAncestors() : std::vector<int>());
  Results results = DryRun(plan);
  if (args.apply) {
    // Tests stop here to change the processes between planning and acting.
    const char* stop = std::getenv("PROCLEAK_REAP_STOP_AFTER_PLAN");
    if (stop != nullptr && *stop != '\0') raise(SIGSTOP);
    std::vector<ReapResult> done = SignalInOrder(plan.order, args.grace);
    for (size_t i = 0; i < plan.order.size(); ++i) results[plan.order[i].pid] = done[i];
  }
  const int written = Write(args.json ? DumpJson(JsonDoc(*snapshot, plan, results, args), 2) + "\n"
                                      : Text(plan, results, args));
  if (written != kExitOk) return written;
  if (!args.apply) return kExitOk;
  std::map<ReapOutcome, int> n = Tally(results);
  return n[ReapOutcome::kSkipped] + n[ReapOutcome::kFailed] > 0 ? kExitFindings : kExitOk;
}

}  // namespace procleak
