// SPDX-License-Identifier: Apache-2.0
// procleak diff A B: two moments (record moments, scan JSON files or live) compared.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/read_file.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "fmt/format.h"
#include "procleak/diff.h"
#include "procleak/record.h"
#include "render/diff_json.h"
#include "render/diff_text.h"
#include "render/json_report.h"
#include "render/scan_json_reader.h"

namespace procleak {
namespace {

absl::Status OpenError(const std::string& path, int err) {
  return absl::NotFoundError(fmt::format("{}: {}", path, std::strerror(err)));
}

// A scan JSON document begins with '{' (after white space); a record with its magic line. Looks
// at the first bytes only: a record may be many megabytes. What is not a regular file (a FIFO
// would block) is refused.
absl::StatusOr<bool> LooksLikeJson(const std::string& path) {
  int fd = -1;
  absl::StatusOr<ReadOutcome> opened = OpenFileAt(AT_FDCWD, "", path.c_str(), &fd);
  if (!opened.ok()) return opened.status();
  if (*opened != ReadOutcome::kRead) {
    return OpenError(path, *opened == ReadOutcome::kGone ? ENOENT : EACCES);
  }
  char head[64];
  const ssize_t n = pread(fd, head, sizeof(head), 0);
  const int err = errno;
  close(fd);
  if (n < 0) return OpenError(path, err);
  const std::string_view text(head, static_cast<size_t>(n));
  const size_t at = text.find_first_not_of(" \t\r\n");
  return at != std::string_view::npos && text[at] == '{';
}

absl::StatusOr<Snapshot> FromRecord(const std::string& path, const std::string& selector) {
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path);
  if (!reader.ok()) return reader.status();
  if (!reader->damage().empty()) Warn(reader->damage());
  const int moments = static_cast<int>(reader->moments().size());
  if (moments == 0)
    return absl::NotFoundError(fmt::format("{}: no complete moment recorded", path));
  int index = moments - 1;
  if (!selector.empty() && selector[0] == '#') {
    char* end = nullptr;
    long n = std::strtol(selector.c_str() + 1, &end, 10);
    if (selector.size() < 2 || *end != '\0' || n < 0 || n >= moments) {
      return absl::InvalidArgumentError(
          fmt::format("{}@{}: no such moment (the record has {}: #0 to #{})", path, selector,
                      moments, moments - 1));
    }
    index = static_cast<int>(n);
  } else if (!selector.empty()) {
    std::optional<absl::Time> at = ParseMoment(selector);
    if (!at) {
      return absl::InvalidArgumentError(fmt::format(
          "{}@{}: not a time such as 2026-11-24T10:00:00Z or a moment such as #3", path, selector));
    }
    absl::StatusOr<int> found = reader->IndexAt(*at);
    if (!found.ok()) return found.status();
    index = *found;
  }
  return reader->Read(index);
}

// "live", a scan JSON file, FILE (a record's last moment), FILE@TIME or FILE@#N.
absl::StatusOr<Snapshot> Load(const std::string& spec, const CliArgs& args) {
  if (spec == "live") return Scan(ScanOptionsOf(args));
  std::string path = spec;
  std::string selector;
  struct stat st;
  if (size_t at = spec.rfind('@'); at != std::string::npos && stat(spec.c_str(), &st) != 0) {
    path = spec.substr(0, at);
    selector = spec.substr(at + 1);
  }
  absl::StatusOr<bool> json = LooksLikeJson(path);
  if (!json.ok()) return json.status();
  if (!*json) return FromRecord(path, selector);
  if (!selector.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: a scan JSON file holds one moment; drop '@{}'", path, selector));
  }
  std::string text;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", path.c_str(), FileKind::kScanJson, &text);
  if (!read.ok()) return read.status();
  if (*read != ReadOutcome::kRead)
    return OpenError(path, *read == ReadOutcome::kGone ? ENOENT : EACCES);
  return SnapshotFromScanJson(text, path);
}

bool Changed(const SnapshotDiff& d) {
  return !d.processes_started.empty() || !d.processes_ended.empty() || !d.chains_started.empty() ||
         !d.chains_ended.empty() || !d.groups.empty() || !d.containers.empty() ||
         !d.findings_new.empty() || !d.findings_resolved.empty();
}

}  // namespace

int RunDiff(const CliArgs& args) {
  absl::StatusOr<std::optional<Rules>> rules = LoadRulesOf(args);
  if (!rules.ok()) return Fail(rules.status());
  const Rules* rule_set = *rules ? &**rules : nullptr;
  const size_t columns = TerminalColumns();
  absl::Status sandboxed = EnterSandbox(args, {STDOUT_FILENO});
  if (!sandboxed.ok()) return Fail(sandboxed);
  absl::StatusOr<Snapshot> a = Load(args.operands[0], args);
  if (!a.ok()) return Fail(a.status());
  absl::StatusOr<Snapshot> b = Load(args.operands[1], args);
  if (!b.ok()) return Fail(b.status());
  const Analysis a_analysis = Analyze(*a, rule_set);
  const Analysis b_analysis = Analyze(*b, rule_set);
  const SnapshotDiff diff = Diff(*a, a_analysis, *b, b_analysis);
  const int written = args.json ? Write(DumpJson(DiffJson(diff, *a, *b), 2) + "\n")
                                : Write(RenderDiffText(diff, *a, *b, UseColor(args), columns));
  if (written != kExitOk) return written;
  return Changed(diff) ? kExitFindings : kExitOk;
}

}  // namespace procleak
