// SPDX-License-Identifier: Apache-2.0
#include "cli/reap_report.h"

#include <map>
#include <utility>

#include "base/text_format.h"
#include "base/version.h"
#include "cli/common.h"
#include "fmt/format.h"
#include "render/json_values.h"

namespace procleak {
namespace {

using Json = nlohmann::ordered_json;

// The result of each planned process, by (pid, starttime).
class PlannedResults {
 public:
  PlannedResults(const ReapPlan& plan, const ReapActed& acted) {
    for (size_t i = 0; i < plan.order.size() && i < acted.planned.size(); ++i) {
      by_key_[{plan.order[i].pid, plan.order[i].starttime_ticks}] = &acted.planned[i];
    }
  }
  const ReapResult& Of(const ReapProcess& p) const {
    static const ReapResult kNone{ReapOutcome::kFailed, "not in the plan's order"};
    auto it = by_key_.find({p.pid, p.starttime_ticks});
    return it == by_key_.end() ? kNone : *it->second;
  }

 private:
  std::map<std::pair<int, uint64_t>, const ReapResult*> by_key_;
};

bool LeftRunningResult(const ReapResult& r) {
  return r.outcome == ReapOutcome::kSkipped || r.outcome == ReapOutcome::kFailed;
}

std::map<ReapOutcome, int> Tally(const ReapActed& acted) {
  std::map<ReapOutcome, int> n;
  for (const ReapResult& r : acted.planned) ++n[r.outcome];
  for (const auto& chain : acted.found) {
    for (const ReapFound& f : chain) ++n[f.result.outcome];
  }
  return n;
}

size_t FoundCount(const ReapActed& acted) {
  size_t n = 0;
  for (const auto& chain : acted.found) n += chain.size();
  return n;
}

int Chains(const ReapPlan& plan) {
  int n = 0;
  for (const ReapGroup& g : plan.groups) n += static_cast<int>(g.stop.size());
  return n;
}

std::vector<std::string> Notes(const ReapPlan& plan, const ReapActed& acted) {
  std::vector<std::string> out = plan.notes;
  out.insert(out.end(), acted.notes.begin(), acted.notes.end());
  return out;
}

std::string Where(const ReapGroup& g) {
  if (g.container.empty()) return "on the host";
  return fmt::format("in container {} ({})",
                     SanitizeForTerminal(g.container_name.empty() ? "?" : g.container_name),
                     ShortId(g.container));
}

// How `found` was found, for the report: "found after the scan", and for one a stopped process
// left when it exited, where.
std::string FoundNote(const ReapFound& found) {
  switch (found.by) {
    case ReapFoundBy::kParent:
      break;
    case ReapFoundBy::kProcessGroup:
      return fmt::format(
          "found after the scan, reparented, in process group {} of a stopped process",
          found.found_in);
    case ReapFoundBy::kSession:
      return fmt::format("found after the scan, reparented, in session {} of a stopped process",
                         found.found_in);
  }
  return "found after the scan";
}

// `found` is null for a planned process.
std::string ProcessLine(const ReapProcess& p, const ReapResult& r, const ReapFound* found) {
  std::string notes;
  if (found != nullptr) notes = FoundNote(*found);
  if (found == nullptr && !p.in_chain) notes = "below the chain";
  if (!r.detail.empty()) notes += (notes.empty() ? "" : "; ") + SanitizeForTerminal(r.detail);
  return fmt::format("    {:>8}  {:<12}  {}{}\n", p.pid, ReapOutcomeName(r.outcome),
                     ShortenEnd(SanitizeForTerminal(CommandLine(p.argv, p.comm)), 100),
                     notes.empty() ? "" : fmt::format("  ({})", notes));
}

// "left running: 2 processes: 812 node x (still running after SIGKILL), ..."
std::string LeftLine(const std::vector<ReapLeft>& left) {
  constexpr size_t kShown = 20;
  std::string out =
      fmt::format("left running: {} {}:", left.size(), left.size() == 1 ? "process" : "processes");
  for (size_t i = 0; i < left.size() && i < kShown; ++i) {
    const ReapLeft& l = left[i];
    out += fmt::format(
        "{} {} {} ({}: {})", i == 0 ? "" : ",", l.process->pid,
        ShortenEnd(SanitizeForTerminal(CommandLine(l.process->argv, l.process->comm)), 40),
        ReapOutcomeName(l.result->outcome), SanitizeForTerminal(l.result->detail));
  }
  if (left.size() > kShown) out += fmt::format(", and {} more", left.size() - kShown);
  return out + "\n";
}

Json KindNames(const std::vector<FindingKind>& kinds) {
  Json out = Json::array();
  for (FindingKind k : kinds) out.push_back(FindingKindName(k));
  return out;
}

Json ProcessJson(const ReapProcess& p, const ReapResult& r, const ReapFound* found) {
  return {{"pid", p.pid},
          {"ppid", p.ppid},
          {"starttime", p.starttime_ticks},
          {"comm", p.comm},
          {"cmdline", p.argv},
          {"command_signature", p.command_signature},
          {"in_chain", p.in_chain},
          {"discovered", found != nullptr},
          {"found_by", found == nullptr ? Json(nullptr) : Json(ReapFoundByName(found->by))},
          {"protected", TextJson(p.protected_reason)},
          {"result", ReapOutcomeName(r.outcome)},
          {"detail", TextJson(r.detail)}};
}

}  // namespace

std::vector<ReapLeft> LeftRunning(const ReapPlan& plan, const ReapActed& acted) {
  std::vector<ReapLeft> out;
  for (size_t i = 0; i < plan.order.size() && i < acted.planned.size(); ++i) {
    if (LeftRunningResult(acted.planned[i])) out.push_back({&plan.order[i], &acted.planned[i]});
  }
  for (const auto& chain : acted.found) {
    for (const ReapFound& f : chain) {
      if (LeftRunningResult(f.result)) out.push_back({&f.process, &f.result, true});
    }
  }
  return out;
}

std::string ReapText(const ReapPlan& plan, const ReapActed& acted, const CliArgs& args) {
  std::string out =
      args.apply ? "procleak reap: stopping whole chains (SIGSTOP first, then SIGTERM, SIGKILL "
                   "after the grace)\n"
                 : "procleak reap: dry run, nothing is signalled (--apply to act)\n";
  if (plan.groups.empty()) out += "\nno chain of a selected finding matches the selection\n";
  const PlannedResults results(plan, acted);
  size_t chain = 0;
  for (const ReapGroup& g : plan.groups) {
    std::string kinds;
    for (FindingKind k : g.findings)
      kinds += (kinds.empty() ? "" : ", ") + std::string(FindingKindName(k));
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
      // Found processes run below planned ones: they come first, leaves first.
      if (chain < acted.found.size()) {
        for (const ReapFound& f : acted.found[chain]) out += ProcessLine(f.process, f.result, &f);
      }
      for (const ReapProcess& p : c.processes) out += ProcessLine(p, results.Of(p), nullptr);
      ++chain;
    }
  }
  const std::vector<std::string> notes = Notes(plan, acted);
  if (!notes.empty()) out += "\n";
  for (const std::string& note : notes) out += "note: " + SanitizeForTerminal(note) + "\n";
  std::map<ReapOutcome, int> n = Tally(acted);
  if (args.apply) {
    const size_t found = FoundCount(acted);
    out += fmt::format(
        "\n{} processes in {} chains{}: {} terminated, {} killed, {} gone, {} skipped, {} "
        "failed\n",
        plan.order.size() + found, Chains(plan),
        found == 0 ? "" : fmt::format(" ({} found after the scan)", found),
        n[ReapOutcome::kTerminated], n[ReapOutcome::kKilled], n[ReapOutcome::kGone],
        n[ReapOutcome::kSkipped], n[ReapOutcome::kFailed]);
    const std::vector<ReapLeft> left = LeftRunning(plan, acted);
    if (!left.empty()) out += LeftLine(left);
  } else {
    out += fmt::format(
        "\nwould signal {} processes in {} chains (SIGTERM, then SIGKILL after {}); {} "
        "protected\n",
        n[ReapOutcome::kWouldSignal], Chains(plan), absl::FormatDuration(args.grace),
        n[ReapOutcome::kSkipped]);
  }
  return out;
}

Json ReapJson(const Snapshot& snapshot, const ReapPlan& plan, const ReapActed& acted,
              const CliArgs& args) {
  const PlannedResults results(plan, acted);
  Json groups = Json::array();
  size_t chain = 0;
  for (const ReapGroup& g : plan.groups) {
    Json kept = Json::array();
    for (const ReapChainRef& k : g.kept) {
      kept.push_back({{"root_pid", k.root_pid}, {"started_at", FormatRfc3339(k.started_at)}});
    }
    Json stop = Json::array();
    for (const ReapChain& c : g.stop) {
      Json processes = Json::array();
      if (chain < acted.found.size()) {
        for (const ReapFound& f : acted.found[chain]) {
          processes.push_back(ProcessJson(f.process, f.result, &f));
        }
      }
      for (const ReapProcess& p : c.processes) {
        processes.push_back(ProcessJson(p, results.Of(p), nullptr));
      }
      ++chain;
      stop.push_back({{"root_pid", c.root_pid},
                      {"started_at", FormatRfc3339(c.started_at)},
                      {"orphaned", c.orphaned},
                      {"finding", FindingKindName(c.finding)},
                      {"reason", c.reason},
                      {"rss_bytes", c.rss_bytes},
                      {"processes", std::move(processes)}});
    }
    groups.push_back({{"container", TextJson(g.container)},
                      {"container_name", TextJson(g.container_name)},
                      {"signature", g.signature},
                      {"count", g.count},
                      {"expected", g.expected ? Json(*g.expected) : Json(nullptr)},
                      {"findings", KindNames(g.findings)},
                      {"keep", g.keep},
                      {"kept", std::move(kept)},
                      {"stop", std::move(stop)}});
  }
  Json order = Json::array();
  for (const ReapProcess& p : plan.order) order.push_back(p.pid);
  Json left_running = Json::array();
  for (const ReapLeft& l : LeftRunning(plan, acted)) left_running.push_back(l.process->pid);
  std::map<ReapOutcome, int> n = Tally(acted);
  const size_t found = FoundCount(acted);
  Json summary = {{"groups", plan.groups.size()},
                  {"chains", Chains(plan)},
                  {"processes", plan.order.size() + found},
                  {"discovered", found}};
  for (ReapOutcome o : {ReapOutcome::kWouldSignal, ReapOutcome::kTerminated, ReapOutcome::kKilled,
                        ReapOutcome::kGone, ReapOutcome::kSkipped, ReapOutcome::kFailed}) {
    summary[ReapOutcomeName(o)] = n[o];
  }
  summary["left_running"] = args.apply ? left_running.size() : 0;
  summary["incomplete"] = acted.incomplete;
  return {{"schema", kReapSchema},
          {kProcleakVersionKey, kProcleakVersion},
          {"mode", args.apply ? "apply" : "dry_run"},
          {"scanned_at", FormatRfc3339(snapshot.host().scanned_at)},
          {"selection",
           {{"findings", KindNames(args.findings.empty()
                                       ? std::vector<FindingKind>{FindingKind::kDuplicateChain,
                                                                  FindingKind::kOrphanedChain}
                                       : args.findings)},
            {"signature", TextJson(args.signature)},
            {"container", TextJson(args.container)},
            {"pids", args.pids},
            {"all", args.all},
            {"keep", args.keep.empty() ? "default" : args.keep},
            {"grace_seconds", absl::ToDoubleSeconds(args.grace)}}},
          {"groups", std::move(groups)},
          {"order", std::move(order)},
          {"left_running", args.apply ? std::move(left_running) : Json::array()},
          {"notes", Notes(plan, acted)},
          {"summary", std::move(summary)}};
}

int ReapExitStatus(const ReapPlan& plan, const ReapActed& acted, bool applied) {
  if (!applied) return kExitOk;
  return !LeftRunning(plan, acted).empty() || acted.incomplete ? kExitFindings : kExitOk;
}

}  // namespace procleak
