// SPDX-License-Identifier: Apache-2.0
// `procleak help` and `procleak CMD --help`, made from help_text.h's lines and the options each
// command takes (args.cc), so that the help lists exactly what the parser accepts.

#include "cli/help_text.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "fmt/format.h"

namespace procleak {
namespace {

constexpr size_t kHelpWidth = 80;
constexpr size_t kTextColumn = 14;  // where an item's text starts

// The non-empty parts of `text` between occurrences of `separator`.
std::vector<std::string_view> Split(std::string_view text, std::string_view separator) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t end = text.find(separator);
    if (end != 0) out.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + separator.size());
  }
  return out;
}

// `text` wrapped at spaces to lines that fit kHelpWidth, each but the first indented to `column`;
// the first line starts at `column` too (its indent is the caller's).
std::string Wrap(std::string_view text, size_t column) {
  std::string out;
  size_t line = column;
  for (std::string_view word : Split(text, " ")) {
    if (line > column && line + 1 + word.size() >= kHelpWidth) {
      out += '\n';
      out.append(column, ' ');
      line = column;
    } else if (line > column) {
      out += ' ';
      ++line;
    }
    out.append(word);
    line += word.size();
  }
  return out + "\n";
}

// "  HEAD        text" with the text at kTextColumn, or below HEAD when HEAD reaches it.
void AppendItem(std::string_view head, std::string_view text, std::string* out) {
  out->append("  ");
  out->append(head);
  if (2 + head.size() < kTextColumn) {
    out->append(kTextColumn - 2 - head.size(), ' ');
  } else {
    out->append("\n");
    out->append(kTextColumn, ' ');
  }
  out->append(Wrap(text, kTextColumn));
}

bool Names(const OptionHelp& h, std::string_view option) {
  for (std::string_view name : Split(h.option, ", ")) {
    if (name == option) return true;
  }
  return false;
}

bool For(const OptionHelp& h, std::string_view command) {
  for (std::string_view name : Split(h.commands, " ")) {
    if (name == command) return true;
  }
  return false;
}

// The line for `option` of `command`: the one naming both, else the one for any command.
const OptionHelp* LineOf(std::string_view command, std::string_view option) {
  const OptionHelp* any = nullptr;
  for (const OptionHelp& h : kOptionHelp) {
    if (!Names(h, option)) continue;
    if (For(h, command)) return &h;
    if (any == nullptr && h.commands[0] == '\0') any = &h;
  }
  return any;
}

void AppendOption(const OptionHelp& h, std::string* out) {
  const std::string head =
      h.value[0] == '\0' ? std::string(h.option) : fmt::format("{} {}", h.option, h.value);
  AppendItem(head, h.text, out);
}

const CommandHelp* CommandHelpOf(std::string_view command) {
  for (const CommandHelp& c : kCommandHelp) {
    if (command == c.name) return &c;
  }
  return nullptr;
}

std::string CommandText(std::string_view command) {
  const CommandHelp* about = CommandHelpOf(command);
  std::string out = fmt::format("usage: procleak {} {}\n\n", command, about ? about->usage : "");
  if (about != nullptr) out += Wrap(about->summary, 0) + "\n";
  out += "options:\n";
  std::vector<const OptionHelp*> shown;
  std::vector<std::string> options = OptionsOf(command);
  options.push_back("--help");
  for (const std::string& option : options) {
    // An option without a line is left out: cli_conventions_test fails on it.
    const OptionHelp* h = LineOf(command, option);
    if (h != nullptr && std::find(shown.begin(), shown.end(), h) == shown.end()) {
      shown.push_back(h);  // -o and --output share a line
      AppendOption(*h, &out);
    }
  }
  return out;
}

std::string Overview() {
  std::string out =
      "usage: procleak COMMAND [OPTIONS]\n"
      "       procleak COMMAND --help | help COMMAND\n\n" +
      Wrap(
          "Explains where a Linux host's processes and memory went, from /proc and /sys/fs/cgroup "
          "alone.",
          0) +
      "\ncommands:\n";
  for (const std::string& command : CommandNames()) {
    const CommandHelp* about = CommandHelpOf(command);
    if (about != nullptr) AppendItem(command, about->summary, &out);
  }
  AppendItem("help [COMMAND]", "show this text, or COMMAND's usage and options", &out);
  AppendItem("--version", "print the version", &out);
  out += "\noptions most commands take ('procleak COMMAND --help' lists a command's own):\n";
  for (const OptionHelp& h : kOptionHelp) {
    if (h.overview) AppendOption(h, &out);
  }
  out += "\n" + Wrap(
                    "exit status: 0 no finding at --fail-on or above (diff: no change), 1 such "
                    "findings (diff: changes; reap: a process not stopped), 2 error. See "
                    "procleak(1).",
                    0);
  return out;
}

}  // namespace

std::string HelpText(std::string_view command) {
  return command.empty() ? Overview() : CommandText(command);
}

}  // namespace procleak
