// SPDX-License-Identifier: Apache-2.0
// procleak watch and procleak record: warm rescans every --interval, shown or appended to a file.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "base/read_file.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/live_screen.h"
#include "cli/sampling.h"
#include "fmt/format.h"
#include "procleak/diff.h"
#include "procleak/record.h"
#include "render/diff_json.h"
#include "render/json_report.h"
#include "render/watch_text.h"
#include "store/record_lock.h"

namespace procleak {
namespace {

// A snapshot and its analysis, kept as the base of the next comparison.
struct Moment {
  Snapshot snapshot;
  Analysis analysis;
};

// One document per line, streamed to standard output. A rate from too little data is null.
int WriteJsonLine(const Moment& now, const SnapshotDiff& since_last,
                  const SnapshotDiff& since_start, int sample, int reused, const CliArgs& args) {
  JsonOptions json;
  json.sandbox = SandboxName(args);
  json.reused_processes = reused;
  json.more = [&](JsonWriter& w) {
    w.Key("changes");
    w.Value({{"sample", sample},
             {"since_last", ChangesJson(since_last, /*rates=*/false)},
             {"since_start",
              ChangesJson(since_start,
                          WindowSupportsRates(sample, since_start.to - since_start.from))}});
  };
  JsonWriter out(-1, stdout);
  WriteScanJson(out, now.snapshot, &now.analysis, json);
  return out.Finish() ? Write("\n") : Fail("cannot write to standard output");
}

}  // namespace

int RunWatch(const CliArgs& args) {
  absl::StatusOr<std::optional<Rules>> rules = LoadRulesOf(args);
  if (!rules.ok()) return Fail(rules.status());
  const Rules* rule_set = *rules ? &**rules : nullptr;
  const bool color = UseColor(args);
  InstallStopHandlers();
  // A terminal gets a live view (before the scanner's threads start: it sets the signal mask they
  // inherit); anything else gets one screen after the other, appended.
  std::optional<LiveScreen> screen;
  if (!args.json && isatty(STDOUT_FILENO)) screen.emplace();
  // Errors are printed on the normal screen, after it is restored.
  const auto fail = [&screen](const absl::Status& status) {
    if (screen) screen->Restore();
    return Fail(status);
  };
  RaiseFileLimit();
  Scanner scanner(ScanOptionsOf(args));  // reads RLIMIT_NOFILE, which the sandbox forbids
  absl::Status sandboxed = EnterSandbox(args, {STDOUT_FILENO}, screen.has_value());
  if (!sandboxed.ok()) return fail(sandboxed);

  const absl::Duration interval = args.interval.value_or(absl::Seconds(5));
  Pacer pacer(interval, args.count, std::nullopt);
  if (screen) pacer.SetWaiter([&screen](absl::Duration left) { return screen->Wait(left); });
  std::optional<Moment> first, last;
  SnapshotDiff since_last, since_start;
  WatchTextOptions text;
  text.color = color;
  text.interval = interval;
  while (pacer.WaitForNext()) {
    absl::StatusOr<Snapshot> snapshot = scanner.Next();
    if (!snapshot.ok()) return fail(snapshot.status());
    Moment now{*std::move(snapshot), {}};
    now.analysis = Analyze(now.snapshot, rule_set);
    const Moment& base_last = last ? *last : now;
    const Moment& base_first = first ? *first : now;
    since_last = Diff(base_last.snapshot, base_last.analysis, now.snapshot, now.analysis);
    since_start = Diff(base_first.snapshot, base_first.analysis, now.snapshot, now.analysis);
    if (!first) first = now;
    last = std::move(now);
    text.sample = pacer.samples();
    text.reused = scanner.reused();
    int written;
    if (args.json) {
      written =
          WriteJsonLine(*last, since_last, since_start, pacer.samples(), scanner.reused(), args);
    } else if (screen) {
      absl::Status drawn = screen->Draw([&](size_t cols) {
        WatchTextOptions fitted = text;
        fitted.width = cols;
        return RenderWatchText(last->snapshot, last->analysis, since_last, since_start, fitted);
      });
      written = drawn.ok() ? kExitOk : fail(drawn);
    } else {
      written = Write(
          RenderWatchText(last->snapshot, last->analysis, since_last, since_start, text) + "\n");
    }
    if (written != kExitOk) return written;
  }
  return kExitOk;
}

int RunRecord(const CliArgs& args) {
  const std::string& path = args.output;
  // O_NONBLOCK and a regular file only: a FIFO or a device would take no record, or block.
  const int fd = open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(fmt::format("{}: {}", path, std::strerror(errno)));
  struct stat st;
  if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
    close(fd);
    return Fail(NotRegularError(path, st.st_mode));
  }
  if (args.wait) {
    // Before the stop handlers: an interrupt while waiting ends procleak, which wrote nothing.
    absl::Status locked = store::LockRecord(fd, path, /*wait=*/false);
    if (absl::IsFailedPrecondition(locked)) {
      fmt::print(stderr, "procleak: {}; waiting (--wait)\n", std::string(locked.message()));
      locked = store::LockRecord(fd, path, /*wait=*/true);
    }
    if (!locked.ok()) return Fail(locked);
  }
  std::string notice;
  absl::StatusOr<RecordWriter> writer = RecordWriter::Open(fd, path, &notice);
  if (!writer.ok()) return Fail(writer.status());
  if (!notice.empty()) Warn(notice);
  InstallStopHandlers();
  RaiseFileLimit();
  Scanner scanner(ScanOptionsOf(args));
  absl::Status sandboxed = EnterSandbox(args, {fd});
  if (!sandboxed.ok()) return Fail(sandboxed);

  Pacer pacer(args.interval.value_or(absl::Seconds(10)), args.count, args.duration);
  while (pacer.WaitForNext()) {
    absl::StatusOr<Snapshot> snapshot = scanner.Next();
    if (!snapshot.ok()) return Fail(snapshot.status());
    absl::Status appended = writer->Append(*snapshot);
    if (!appended.ok()) return Fail(appended);
  }
  fmt::print(stderr, "procleak: recorded {} moments to {} ({} bytes)\n", pacer.samples(), path,
             writer->bytes_written());
  return kExitOk;
}

}  // namespace procleak
