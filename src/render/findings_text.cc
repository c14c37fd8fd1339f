// SPDX-License-Identifier: Apache-2.0
#include "render/findings_text.h"

#include <algorithm>
#include <vector>

#include "base/keyed_values.h"
#include "base/text_format.h"
#include "render/format.h"

namespace procleak {
namespace {

constexpr size_t kMaxInfo = 5;
constexpr size_t kMaxSummary = 24;  // one-line findings before the details
constexpr std::string_view kCommandStart = "kill -TERM";

std::string ContainerLabel(const Snapshot& s, const std::string& id) {
  if (id.empty()) return "host";
  const Container* c = s.FindContainer(id);
  const std::string_view shortid = ShortId(id);
  if (c != nullptr && !c->verified) return fmt::format("{} (unverified)", shortid);
  if (c == nullptr || c->name.empty()) return std::string(shortid);
  return SanitizeForTerminal(fmt::format("{} {} ({})", c->runtime, c->name, shortid));
}

// The action with a trailing shell command set on lines of its own.
std::string ActionText(std::string_view action, const std::string& indent, size_t width) {
  size_t cmd = action.find(kCommandStart);
  if (cmd == std::string_view::npos)
    return indent + Wrap(action, width - indent.size(), indent) + "\n";
  std::string_view prose = action.substr(0, cmd);
  std::string_view command = action.substr(cmd);
  std::string_view after;
  if (size_t end = command.find(';'); end != std::string_view::npos) {
    after = command.substr(end + 1);
    command = command.substr(0, end);
  }
  std::string out;
  if (!StripWhitespace(prose).empty()) {
    out += indent + Wrap(StripWhitespace(prose), width - indent.size(), indent) + "\n";
  }
  // Continuation lines end in " \" so the command pastes as one.
  std::string line = indent + "  ";
  size_t columns = DisplayWidth(line);
  const size_t first_columns = columns;
  size_t start = 0;
  while (start < command.size()) {
    size_t space = command.find(' ', start);
    std::string_view word = command.substr(
        start, space == std::string_view::npos ? std::string_view::npos : space - start);
    start = space == std::string_view::npos ? command.size() : space + 1;
    const size_t word_columns = DisplayWidth(word);
    if (columns + word_columns + 3 > width && columns > first_columns) {
      out += line + "\\\n";
      line = indent + "    ";
      columns = DisplayWidth(line);
    }
    line += std::string(word) + " ";
    columns += word_columns + 1;
  }
  out += line.substr(0, line.size() - 1) + "\n";
  if (!StripWhitespace(after).empty()) {
    out += indent + Wrap(StripWhitespace(after), width - indent.size(), indent) + "\n";
  }
  return out;
}

std::string SeverityTag(Severity s, const Style& style) {
  std::string tag = fmt::format("{:<8}", SeverityName(s));
  for (char& c : tag) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s == Severity::kCritical  ? style.Bad(tag)
         : s == Severity::kWarning ? style.Warn(tag)
                                   : tag;
}

// A container's name as its table row shows it: an unverified container's name, if a document
// gave it one, is not shown either.
std::string ContainerName(const Container& c) {
  return SanitizeForTerminal(!c.verified ? "?" + c.id : c.name.empty() ? c.id : c.name);
}

}  // namespace

std::string Wrap(std::string_view text, size_t width, std::string_view indent) {
  std::string out;
  size_t column = 0;
  while (!text.empty()) {
    size_t space = text.find(' ');
    std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (word.empty()) continue;
    size_t word_columns = DisplayWidth(word);
    if (column > 0 && column + 1 + word_columns > width) {
      out += "\n";
      out += indent;
      column = 0;
    } else if (column > 0) {
      out += ' ';
      ++column;
    }
    // A word wider than a line (a command line without spaces) is broken where the line ends,
    // between characters.
    while (word_columns > width - column) {
      const std::string_view piece = TruncateToWidth(word, width - column);
      if (piece.empty()) break;  // one character wider than the line: it overflows
      out += piece;
      out += "\n";
      out += indent;
      column = 0;
      word.remove_prefix(piece.size());
      word_columns = DisplayWidth(word);
    }
    out += word;
    column += word_columns;
  }
  return out;
}

std::string ContainerTable(const Snapshot& s, const TextOptions& options, const Style& style) {
  std::vector<const Container*> rows;
  for (const Container& c : s.containers()) {
    if (options.scope == nullptr || options.scope->ShowsContainer(c.id)) rows.push_back(&c);
  }
  if (rows.empty()) return "";
  SortRows(rows, options.sort, [&](const Container& c) { return KeysOf(s, c); });
  const size_t max_rows = options.max_cgroups;
  // The name column: 22 columns at 80 (rows 75 wide), as many more as the terminal is wider when
  // a name needs them, never wider than the longest name shown (a wide terminal pads no row to its
  // width), and fewer on a narrower terminal, down to 6.
  constexpr size_t kOtherColumns = 1 + 10 + 1 + 10 + 1 + 10 + 1 + 4 + 1 + 5 + 1 + 8;
  constexpr size_t kSpare = kWidth - 22 - kOtherColumns;
  size_t longest = 22;
  for (size_t i = 0; i < rows.size() && i < max_rows; ++i) {
    longest = std::max(longest, DisplayWidth(ContainerName(*rows[i])));
  }
  constexpr size_t kLeastName = 6;
  const size_t room =
      options.width > kOtherColumns + kSpare ? options.width - kOtherColumns - kSpare : 0;
  const size_t name_width = std::max(kLeastName, std::min(longest, room));
  std::string out =
      "\n" +
      style.Bold(ShortenEnd(fmt::format("{} {:<10} {:>10} {:>10} {:>4} {:>5} {:>8}",
                                        FitColumn("CONTAINER", name_width), "RUNTIME", "MEMORY",
                                        "LIMIT", "USE%", "PROCS", "RESTARTS"),
                            options.width)) +
      "\n";
  bool unverified = false;
  for (size_t i = 0; i < rows.size() && i < max_rows; ++i) {
    const Container& c = *rows[i];
    std::string name = ContainerName(c);
    unverified |= !c.verified;
    std::string limit = !c.memory_limit               ? "-"
                        : c.memory_limit->unlimited() ? "unlimited"
                                                      : FormatBytes(c.memory_limit->value());
    const std::string use = UseOfLimit(c.memory_bytes, c.memory_limit).cell;
    std::string restarts = c.restart_count ? fmt::format("{}", *c.restart_count) : "-";
    if (c.state == "restarting") restarts += "!";
    out +=
        ShortenEnd(fmt::format("{} {} {:>10} {:>10} {:>4} {:>5} {:>8}", FitColumn(name, name_width),
                               FitColumn(SanitizeForTerminal(c.runtime), 10),
                               c.memory_bytes ? FormatBytes(*c.memory_bytes) : "-", limit, use,
                               c.pids.size(), restarts),
                   options.width) +
        "\n";
  }
  if (rows.size() > max_rows)
    out += fmt::format("  (+{} more containers)\n", rows.size() - max_rows);
  if (unverified) {
    out += "  " +
           Wrap("?: unverified: only a cgroup path names it; no state of its runtime was found",
                options.width - 2, "  ") +
           "\n";
  }
  return out;
}

std::string FindingsText(const Snapshot& s, const Analysis& all, const TextOptions& options,
                         const Style& style) {
  const size_t width = options.width;
  Analysis shown;  // the findings the scope shows (their groups are looked up in `all`)
  if (options.scope != nullptr && !options.scope->all()) {
    for (const Finding& f : all.findings) {
      if (options.scope->ShowsFinding(f, all)) shown.findings.push_back(f);
    }
  }
  const Analysis& analysis = options.scope != nullptr && !options.scope->all() ? shown : all;
  if (analysis.findings.empty()) return "\nno findings\n";
  int counts[3] = {0, 0, 0};
  for (const Finding& f : analysis.findings) ++counts[static_cast<int>(f.severity)];
  std::string out = "\n" +
                    style.Bold(fmt::format("FINDINGS: {} critical, {} warning, {} info", counts[2],
                                           counts[1], counts[0])) +
                    "\n";
  // One line per finding first, so the first screen shows all of them. The kind column is as
  // wide as the widest kind shown, so that a narrow one leaves the signature its room.
  size_t kind_width = 0;
  for (size_t i = 0; i < analysis.findings.size() && i < kMaxSummary; ++i) {
    kind_width =
        std::max(kind_width, std::string_view(FindingKindName(analysis.findings[i].kind)).size());
  }
  for (size_t i = 0; i < analysis.findings.size() && i < kMaxSummary; ++i) {
    const Finding& f = analysis.findings[i];
    std::string start =
        fmt::format("  {:<8} {:<{}} {} ", SeverityName(f.severity), FindingKindName(f.kind),
                    kind_width, FitColumn(ShortContainer(s, f.container), 12));
    std::string subject;
    if (!f.signature.empty()) {
      std::string count = fmt::format("{}x ", f.count);
      const size_t used = DisplayWidth(start) + count.size();
      size_t room = width > used ? width - used : 0;
      subject = count + ShortenChainSignature(SanitizeForTerminal(f.signature), room);
    } else {
      // The container is in its own column: "docker web (ae2a..) has ..." -> "has ...".
      std::string_view message = f.message;
      std::string label = ContainerLabel(s, f.container) + " ";
      if (message.substr(0, label.size()) == label) message.remove_prefix(label.size());
      subject = SanitizeForTerminal(message);
    }
    out += ShortenEnd(start + subject, width) + "\n";
  }
  if (analysis.findings.size() > kMaxSummary) {
    out += fmt::format("  (+{} more below)\n", analysis.findings.size() - kMaxSummary);
  }
  size_t info_shown = 0;
  for (const Finding& f : analysis.findings) {
    // The tag is 8 columns wide (coloured after padding), the kind plain ASCII.
    const std::string_view kind = FindingKindName(f.kind);
    const size_t room = width - std::min(width, 8 + 1 + kind.size() + 2);
    std::string head =
        fmt::format("{} {}  {}", SeverityTag(f.severity, style), kind,
                    ShortenEnd(SanitizeForTerminal(ContainerLabel(s, f.container)), room));
    if (f.severity == Severity::kInfo) {
      if (info_shown++ == kMaxInfo) out += "  (more info findings in --json)\n";
      if (info_shown > kMaxInfo) continue;
      out += "\n" + head + "\n  " + Wrap(SanitizeForTerminal(f.message), width - 2, "  ") + "\n";
      continue;
    }
    out += "\n" + head + "\n";
    out += "  " + Wrap(SanitizeForTerminal(f.message), width - 2, "  ") + "\n";
    for (const std::string& e : f.evidence) {
      out += "  - " + Wrap(SanitizeForTerminal(e), width - 4, "    ") + "\n";
    }
    out += "  action:\n" + ActionText(SanitizeForTerminal(f.action), "    ", width);
  }
  return out;
}

}  // namespace procleak
