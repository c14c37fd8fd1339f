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

// One document per line, streamed to standard output.
int WriteJsonLine(const Moment& now, const SnapshotDiff& since_last,
                  const SnapshotDiff& since_start, int sample, int reused, const CliArgs& args) {
  JsonOptions json;
  json.sandbox = SandboxName(args);
  json.reused_processes = reused;
  json.more = [&](JsonWriter& w) {
    w.Key("changes");
    w.Value({{"sample", sample},
             {"since_last", ChangesJson(since_last)},
             {"since_start", ChangesJson(since_start)}});
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
  const bool redraw = !args.json && isatty(STDOUT_FILENO);
  const bool color = UseColor(args);
  InstallStopHandlers();
  RaiseFileLimit();
  Scanner scanner(ScanOptionsOf(args));  // reads RLIMIT_NOFILE, which the sandbox forbids
  absl::Status sandboxed = EnterSandbox(args, {STDOUT_FILENO});
  if (!sandboxed.ok()) return Fail(sandboxed);

  const absl::Duration interval = args.interval.value_or(absl::Seconds(5));
  Pacer pacer(interval, args.count, std::nullopt);
  std::optional<Moment> first, last;
  while (pacer.WaitForNext()) {
    absl::StatusOr<Snapshot> snapshot = scanner.Next();
    if (!snapshot.ok()) return Fail(snapshot.status());
    Moment now{*std::move(snapshot), {}};
    now.analysis = Analyze(now.snapshot, rule_set);
    const Moment& base_last = last ? *last : now;
    const Moment& base_first = first ? *first : now;
    const SnapshotDiff since_last =
        Diff(base_last.snapshot, base_last.analysis, now.snapshot, now.analysis);
    const SnapshotDiff since_start =
        Diff(base_first.snapshot, base_first.analysis, now.snapshot, now.analysis);
    int written;
    if (args.json) {
      written =
          WriteJsonLine(now, since_last, since_start, pacer.samples(), scanner.reused(), args);
    } else {
      WatchTextOptions text;
      text.color = color;
      text.sample = pacer.samples();
      text.interval = interval;
      text.reused = scanner.reused();
      std::string screen =
          RenderWatchText(now.snapshot, now.analysis, since_last, since_start, text);
      written = Write(redraw ? "\x1b[H\x1b[2J" + screen : screen + "\n");
    }
    if (written != kExitOk) return written;
    if (!first) first = now;
    last = std::move(now);
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
