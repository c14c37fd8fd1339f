// SPDX-License-Identifier: Apache-2.0
// procleak scan and procleak replay: one snapshot, taken now or read from a record, reported.

#include <unistd.h>

#include <algorithm>

#include "absl/time/time.h"
#include "base/text_format.h"
#include "base/version.h"
#include "cli/brief_report.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "procleak/record.h"
#include "render/json_report.h"
#include "render/text_report.h"
#include "signature/rules.h"

namespace procleak {
namespace {

int ListMoments(const RecordReader& reader, const CliArgs& args) {
  const std::string& file = args.operands[0];
  if (args.json) {
    nlohmann::ordered_json moments = nlohmann::ordered_json::array();
    for (const RecordMoment& m : reader.moments()) {
      moments.push_back({{"index", m.index},
                         {"scanned_at", FormatRfc3339(m.scanned_at)},
                         {"processes", m.processes},
                         {"key", m.key},
                         {"bytes", m.bytes}});
    }
    nlohmann::ordered_json doc = {
        {"schema", "procleak.moments/1"},
        {kProcleakVersionKey, kProcleakVersion},
        {"file", file},
        {"damage", reader.damage().empty() ? nlohmann::ordered_json(nullptr)
                                           : nlohmann::ordered_json(reader.damage())},
        {"moments", std::move(moments)}};
    return Write(DumpJson(doc, 2) + "\n");
  }
  std::string out = fmt::format("{:>6}  {:<20}  {:>9}  {:<5}  {:>9}\n", "INDEX", "TIME (UTC)",
                                "PROCESSES", "FRAME", "BYTES");
  for (const RecordMoment& m : reader.moments()) {
    out.append(
        fmt::format("{:>6}  {:<20}  {:>9}  {:<5}  {:>9}\n", m.index,
                    absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", m.scanned_at, absl::UTCTimeZone()),
                    m.processes, m.key ? "key" : "delta", m.bytes));
  }
  return Write(out);
}

// The text report needs neither uid nor exe (unless a rule matches on exe), nor exact RSS beyond
// what it shows: ReadPlan::Brief(). The JSON document has every field but takes RSS from stat
// where it shows no sum of it (ReadPlan::Lean()); --tree and --pid read everything.
ReadPlan PlanOf(const CliArgs& args, const Rules* rules) {
  if (args.tree || args.pid) return ReadPlan::Full();
  if (args.json) return ReadPlan::Lean();
  const bool exe_rule =
      rules != nullptr && std::ranges::any_of(RuleTableOf(*rules).rules, [](const Rule& r) {
        return r.field == RuleField::kExe;
      });
  return exe_rule ? ReadPlan{.uid = false, .exe = true, .exact = false, .ns_pid = false}
                  : ReadPlan::Brief();
}

}  // namespace

int RunScan(const CliArgs& args) {
  absl::StatusOr<std::optional<Rules>> rules = LoadRulesOf(args);
  if (!rules.ok()) return Fail(rules.status());
  // The terminal is asked for its width before the sandbox forbids ioctl.
  absl::StatusOr<ReportSetup> setup = ReportSetupOf(args);
  if (!setup.ok()) return Fail(setup.status());
  // Arguments are parsed, the rules read and the outputs (stdout, stderr) open: from here on the
  // scan only reads.
  absl::Status sandboxed = EnterSandbox(args, {STDOUT_FILENO});
  if (!sandboxed.ok()) return Fail(sandboxed);
  const Rules* use = *rules ? &**rules : nullptr;
  ScanOptions options = ScanOptionsOf(args);
  options.read = PlanOf(args, use);
  if (!args.user.empty()) options.read.uid = true;  // --user filters by it
  options.pss |= args.sort == "pss";                // --sort pss reads what it sorts by
  absl::StatusOr<Snapshot> snapshot = Scan(options);
  if (!snapshot.ok()) return Fail(snapshot.status());
  std::optional<Analysis> analysis;
  if (!options.read.exact) {
    ReportScope scope;
    absl::StatusOr<TextOptions> view = TextOptionsOf(*snapshot, args, *setup, &scope);
    if (!view.ok()) return Fail(view.status());
    // The text report's table of processes shows an RSS each; the JSON document's per-process
    // figures are documented as stat's.
    const size_t largest = args.json ? 0 : view->max_processes;
    absl::StatusOr<Analysis> made = AnalyzeRefined(options, use, largest, &*snapshot, &*view);
    if (!made.ok()) return Fail(made.status());
    analysis = *std::move(made);
  }
  const int status = Report(*snapshot, args, use, *setup, std::move(analysis));
  // The process ends now: handing thousands of records back to malloc one by one would only
  // delay that. Still reachable, so no leak checker reports it.
  static const Snapshot* const kept_until_exit = new Snapshot(*std::move(snapshot));
  (void)kept_until_exit;
  return status;
}

int RunReplay(const CliArgs& args) {
  absl::StatusOr<std::optional<Rules>> rules = LoadRulesOf(args);
  if (!rules.ok()) return Fail(rules.status());
  absl::StatusOr<ReportSetup> setup = ReportSetupOf(args);
  if (!setup.ok()) return Fail(setup.status());
  absl::Status sandboxed = EnterSandbox(args, {STDOUT_FILENO});
  if (!sandboxed.ok()) return Fail(sandboxed);
  const std::string& file = args.operands[0];
  absl::StatusOr<RecordReader> reader = RecordReader::Open(file);
  if (!reader.ok()) return Fail(reader.status());
  if (!reader->damage().empty()) Warn(reader->damage());
  if (args.list) return ListMoments(*reader, args);
  const int moments = static_cast<int>(reader->moments().size());
  if (moments == 0) return Fail(fmt::format("{}: no complete moment recorded", file));
  int index = moments - 1;
  if (args.index) {
    if (*args.index >= moments) {
      return Fail(fmt::format("{}: no moment {} (it has {}: 0 to {})", file, *args.index, moments,
                              moments - 1));
    }
    index = *args.index;
  } else if (args.at) {
    absl::StatusOr<int> at = reader->IndexAt(*args.at);
    if (!at.ok()) return Fail(at.status());
    index = *at;
  }
  absl::StatusOr<Snapshot> snapshot = reader->Read(index);
  if (!snapshot.ok()) return Fail(snapshot.status());
  return Report(*snapshot, args, *rules ? &**rules : nullptr, *setup);
}

}  // namespace procleak
