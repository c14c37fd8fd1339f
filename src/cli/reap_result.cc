// SPDX-License-Identifier: Apache-2.0
#include "cli/reap_result.h"

#include <cstring>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "signature/signature.h"

namespace procleak {

const char* ReapOutcomeName(ReapOutcome outcome) {
  switch (outcome) {
    case ReapOutcome::kWouldSignal:
      return "would_signal";
    case ReapOutcome::kTerminated:
      return "terminated";
    case ReapOutcome::kKilled:
      return "killed";
    case ReapOutcome::kGone:
      return "gone";
    case ReapOutcome::kSkipped:
      return "skipped";
    case ReapOutcome::kFailed:
      break;
  }
  return "failed";
}

const char* ReapFoundByName(ReapFoundBy by) {
  switch (by) {
    case ReapFoundBy::kParent:
      return "parent";
    case ReapFoundBy::kProcessGroup:
      return "process_group";
    case ReapFoundBy::kSession:
      break;
  }
  return "session";
}

bool Exited(const Stat& stat) {
  return stat.state == 'Z' || stat.state == 'X' || (stat.flags & kPfExiting) != 0;
}

ReapResult ExitedBefore() { return {ReapOutcome::kGone, "exited"}; }

ReapResult FailedCall(const char* call, int err) {
  return {ReapOutcome::kFailed, fmt::format("{}: {}", call, std::strerror(err))};
}

std::optional<ReapResult> VerifyPlanned(const ReapProcess& p, ReapSystem* system, Stat* now) {
  std::optional<Stat> stat = system->ReadStat(p.pid);
  if (!stat) return ExitedBefore();
  if (stat->starttime != p.starttime_ticks) {
    return ReapResult{ReapOutcome::kGone, "exited; its pid now belongs to a later process"};
  }
  if (Exited(*stat)) return ExitedBefore();
  if ((stat->flags & kPfKthread) != 0) {
    return ReapResult{ReapOutcome::kSkipped, "identity changed: a kernel thread"};
  }
  std::vector<std::string> argv;
  const ReadOutcome read = system->ReadArgv(p.pid, &argv);
  if (read == ReadOutcome::kGone) return ExitedBefore();
  if (read == ReadOutcome::kDenied) {
    return ReapResult{ReapOutcome::kSkipped, "identity unverifiable: cmdline not readable"};
  }
  const std::string signature = ClassifyCommand(argv, stat->comm).signature;
  if (signature == p.command_signature) {
    *now = *stat;
    return std::nullopt;
  }
  // An exiting process loses its command line (with its memory) before it becomes a zombie; it
  // is flagged exiting before that.
  std::optional<Stat> again = system->ReadStat(p.pid);
  if (!again || again->starttime != p.starttime_ticks || Exited(*again)) return ExitedBefore();
  return ReapResult{ReapOutcome::kSkipped,
                    fmt::format("identity changed: its command is now '{}', not '{}'", signature,
                                p.command_signature)};
}

}  // namespace procleak
