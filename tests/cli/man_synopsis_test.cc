// SPDX-License-Identifier: Apache-2.0
// man/procleak.1's SYNOPSIS against the parser: every option a command's SYNOPSIS line lists is
// accepted by ParseArgs with the value the line shows (or none), and every other option procleak
// documents (anywhere in the man page or in `procleak help`) is rejected by that command.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "cli/args.h"

namespace procleak {
namespace {

std::string ReadMan() {
  const char* path = std::getenv("PROCLEAK_MAN1");
  if (path == nullptr) {
    ADD_FAILURE() << "PROCLEAK_MAN1 is not set";
    return "";
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << path << ": cannot read";
  return text.str();
}

// A macro line's arguments: words, or "quoted text" kept whole.
std::vector<std::string> RoffArgs(const std::string& rest) {
  std::vector<std::string> args;
  size_t i = 0;
  while (i < rest.size()) {
    if (rest[i] == ' ') {
      ++i;
    } else if (rest[i] == '"') {
      size_t end = rest.find('"', i + 1);
      if (end == std::string::npos) end = rest.size();
      args.push_back(rest.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      size_t end = rest.find(' ', i);
      if (end == std::string::npos) end = rest.size();
      args.push_back(rest.substr(i, end - i));
      i = end;
    }
  }
  return args;
}

// Roff text as a reader sees it: \- is -, font changes and zero-width escapes vanish.
std::string Unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char c = text[++i];
    if (c == '-' || c == 'e') out += c == '-' ? '-' : '\\';
    if (c == '~') out += ' ';
    if (c == 'f' && i + 1 < text.size()) ++i;  // \fB, \fI, \fR, \fP
  }
  return out;
}

// One roff line as text: .B and .I join their arguments with spaces, .BR, .IR and the other font
// pairs without; a line that is not a macro is text.
std::string LineText(const std::string& line) {
  if (line.empty() || line[0] != '.') return Unescape(line);
  size_t space = line.find(' ');
  std::string macro = line.substr(1, space == std::string::npos ? std::string::npos : space - 1);
  std::vector<std::string> args =
      space == std::string::npos ? std::vector<std::string>{} : RoffArgs(line.substr(space + 1));
  const std::string joint = macro.size() == 1 ? " " : "";
  std::string text;
  for (size_t i = 0; i < args.size(); ++i) text += (i ? joint : "") + args[i];
  return Unescape(text);
}

// Words, with [, ] and | as tokens of their own.
std::vector<std::string> Tokens(const std::string& text) {
  std::vector<std::string> tokens;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) tokens.push_back(word);
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      flush();
    } else if (c == '[' || c == ']' || c == '|') {
      flush();
      tokens.push_back(std::string(1, c));
    } else {
      word += c;
    }
  }
  flush();
  return tokens;
}

// The tokens of every `.SY procleak` ... `.YS` entry of the SYNOPSIS, "procleak" left out.
std::vector<std::vector<std::string>> SynopsisEntries(const std::string& man) {
  std::vector<std::vector<std::string>> entries;
  std::istringstream in(man);
  std::string line, text;
  bool in_synopsis = false, in_entry = false;
  while (std::getline(in, line)) {
    if (line.rfind(".SH", 0) == 0) in_synopsis = line == ".SH SYNOPSIS";
    if (!in_synopsis) continue;
    if (line == ".SY procleak") {
      in_entry = true;
      text.clear();
    } else if (line == ".YS" && in_entry) {
      entries.push_back(Tokens(text));
      in_entry = false;
    } else if (in_entry) {
      text += " " + LineText(line);
    }
  }
  return entries;
}

bool IsOption(const std::string& token) { return token.size() > 1 && token[0] == '-'; }
bool IsWord(const std::string& token) {
  return !IsOption(token) && token != "[" && token != "]" && token != "|";
}

struct SynopsisOption {
  std::string name;
  std::string placeholder;  // "" for a flag
  bool required = false;
};

struct SynopsisLine {
  std::string command;
  std::vector<std::string> operands;  // required, as the placeholders read ("file", "a", "b")
  std::vector<SynopsisOption> options;
};

// `scan [--root dir] [--json]`, `replay file [--index n | --at time]`, `reap [--keep n|newest]`.
SynopsisLine ParseEntry(const std::vector<std::string>& tokens) {
  SynopsisLine line;
  line.command = tokens.empty() ? "" : tokens[0];
  int depth = 0;
  for (size_t i = 1; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t == "[" || t == "]") {
      depth += t == "[" ? 1 : -1;
    } else if (IsOption(t)) {
      SynopsisOption option{t, "", depth == 0};
      if (size_t eq = t.find('='); eq != std::string::npos) {  // `--color=when`
        option.name = t.substr(0, eq);
        option.placeholder = t.substr(eq + 1);
      } else if (i + 1 < tokens.size() && IsWord(tokens[i + 1])) {
        option.placeholder = tokens[++i];
        // The value's alternatives: `n|newest|oldest`, `name|id`.
        while (i + 2 < tokens.size() && tokens[i + 1] == "|" && IsWord(tokens[i + 2])) i += 2;
      }
      line.options.push_back(option);
    } else if (IsWord(t) && depth == 0) {
      line.operands.push_back(t);
    }
  }
  return line;
}

// The commands' lines, not `--version`, `help | -h | --help` (alternatives of one word) and
// `command -h | --help`.
std::vector<SynopsisLine> CommandLines(const std::string& man) {
  std::vector<SynopsisLine> lines;
  for (const std::vector<std::string>& tokens : SynopsisEntries(man)) {
    bool alternatives = tokens.size() > 1 && tokens[1] == "|";
    // `procleak command -h | --help` stands for every command's help, not for a command.
    bool placeholder = !tokens.empty() && tokens[0] == "command";
    if (tokens.empty() || IsOption(tokens[0]) || alternatives || placeholder) continue;
    lines.push_back(ParseEntry(tokens));
  }
  return lines;
}

// A value the parser takes for the placeholder, so that an accepted option parses cleanly.
std::string SampleValue(const std::string& placeholder) {
  static const std::map<std::string, std::string> kSamples = {{"dir", "/"},
                                                              {"file", "f"},
                                                              {"pid", "1"},
                                                              {"n", "2"},
                                                              {"sec", "5"},
                                                              {"text", "x"},
                                                              {"name", "x"},
                                                              {"severity", "critical"},
                                                              {"kind", "duplicate_chain"},
                                                              {"duration", "10s"},
                                                              {"time", "2026-11-24T10:00:00Z"},
                                                              {"key", "memory"},
                                                              {"path", "/system.slice"},
                                                              {"when", "never"}};
  auto it = kSamples.find(placeholder);
  return it == kSamples.end() ? "x" : it->second;
}

// The command with what its line requires: operands and required options with their values.
std::vector<std::string> BaseArgs(const SynopsisLine& line) {
  std::vector<std::string> args = {line.command};
  for (const SynopsisOption& o : line.options) {
    if (!o.required) continue;
    args.push_back(o.name);
    if (!o.placeholder.empty()) args.push_back(SampleValue(o.placeholder));
  }
  args.insert(args.end(), line.operands.begin(), line.operands.end());
  return args;
}

// The errors that say the parser does not take an option as written: unknown, or a flag where
// the SYNOPSIS shows a value or the other way round. Errors about the value itself or about
// options together (reap --apply without a selector) are not these.
bool RejectsAsWritten(const absl::Status& status, const std::string& option) {
  const std::string m(status.message());
  return absl::StrContains(m, "unknown option '" + option + "'") ||
         absl::StrContains(m, "takes no value") || absl::StrContains(m, "needs a value") ||
         absl::StrContains(m, "unexpected argument");
}

// Every option named anywhere: the man page (other programs' options too, which procleak
// rejects) and `procleak help`.
std::set<std::string> DocumentedOptions(const std::string& man) {
  std::set<std::string> options;
  for (const std::string& text : {Unescape(man), HelpText()}) {
    for (size_t i = 0; i + 1 < text.size(); ++i) {
      bool starts = text[i] == '-' &&
                    (i == 0 || std::string(" \t\n[(|\"'`,").find(text[i - 1]) != std::string::npos);
      if (!starts) continue;
      size_t end = i + 1 + (text[i + 1] == '-');
      if (end >= text.size() || text[end] < 'a' || text[end] > 'z') continue;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-')) {
        ++end;
      }
      options.insert(text.substr(i, end - i));
    }
  }
  return options;
}

// Tag lines under OPTIONS that name two spellings of one option: `-o file, --output file`.
std::map<std::string, std::string> Aliases(const std::string& man) {
  std::map<std::string, std::string> aliases;
  std::istringstream in(man);
  std::string line;
  bool tag = false;
  while (std::getline(in, line)) {
    std::string previous;  // the last option on the tag line
    bool comma = false;    // a comma since it
    for (const std::string& token : tag ? Tokens(LineText(line)) : std::vector<std::string>{}) {
      if (!IsOption(token)) {
        comma = comma || token.back() == ',';
        continue;
      }
      std::string name = token.back() == ',' ? token.substr(0, token.size() - 1) : token;
      if (!previous.empty() && comma) {
        aliases[previous] = name;
        aliases[name] = previous;
      }
      previous = name;
      comma = token.back() == ',';
    }
    tag = line == ".TP";
  }
  return aliases;
}

TEST(ManSynopsis, Reader_FindsEveryCommandWithItsOptions) {
  std::vector<SynopsisLine> lines = CommandLines(ReadMan());
  std::set<std::string> commands;
  for (const SynopsisLine& l : lines) commands.insert(l.command);
  for (const char* c : {"scan", "watch", "record", "replay", "diff", "export", "reap"}) {
    EXPECT_TRUE(commands.count(c)) << c << " has no SYNOPSIS line";
  }
  for (const SynopsisLine& l : lines) {
    EXPECT_FALSE(l.options.empty()) << l.command;
  }
}

TEST(ManSynopsis, Reader_ReadsValuesAlternativesAndRequiredParts) {
  SynopsisLine l = ParseEntry(
      Tokens("record -o file [--index n | --at time] [--keep n|newest|oldest] [--json] a b"));
  EXPECT_EQ(l.command, "record");
  EXPECT_EQ(l.operands, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(l.options.size(), 5u);
  EXPECT_TRUE(l.options[0].required);
  EXPECT_EQ(l.options[0].placeholder, "file");
  EXPECT_EQ(l.options[1].placeholder, "n");
  EXPECT_EQ(l.options[2].name, "--at");
  EXPECT_FALSE(l.options[2].required);
  EXPECT_EQ(l.options[3].placeholder, "n");
  EXPECT_EQ(l.options[4].placeholder, "");
  EXPECT_EQ(LineText(".RB [ \\-\\-fail\\-on"), "[--fail-on");
  EXPECT_EQ(LineText(".IR n \" | \" \\-\\-at"), "n | --at");
  EXPECT_EQ(LineText(".B export \\-\\-prometheus"), "export --prometheus");
}

// If the parser's messages change, the classification below must change with them.
TEST(ManSynopsis, Classifier_RecognisesTheParsersRejections) {
  struct Case {
    std::vector<std::string> args;
    std::string option;
  };
  for (const Case& c : std::vector<Case>{{{"scan", "--no-such-option"}, "--no-such-option"},
                                         {{"scan", "--json=1"}, "--json"},
                                         {{"scan", "--pid"}, "--pid"},
                                         {{"scan", "--json", "1"}, "--json"}}) {
    absl::StatusOr<CliArgs> parsed = ParseArgs(c.args);
    ASSERT_FALSE(parsed.ok()) << c.args[1];
    EXPECT_TRUE(RejectsAsWritten(parsed.status(), c.option)) << parsed.status();
  }
  EXPECT_FALSE(RejectsAsWritten(ParseArgs({"scan", "--pid", "0"}).status(), "--pid"));
}

TEST(ManSynopsis, EveryCommand_ParsesWithWhatItsLineRequires) {
  for (const SynopsisLine& l : CommandLines(ReadMan())) {
    absl::StatusOr<CliArgs> parsed = ParseArgs(BaseArgs(l));
    EXPECT_TRUE(parsed.ok()) << l.command << ": " << parsed.status();
  }
}

TEST(ManSynopsis, EveryListedOption_IsAcceptedAsWritten) {
  for (const SynopsisLine& l : CommandLines(ReadMan())) {
    for (const SynopsisOption& o : l.options) {
      if (o.required) continue;  // in BaseArgs, checked above
      std::vector<std::string> args = BaseArgs(l);
      args.push_back(o.name);
      if (!o.placeholder.empty()) args.push_back(SampleValue(o.placeholder));
      absl::StatusOr<CliArgs> parsed = ParseArgs(args);
      EXPECT_FALSE(!parsed.ok() && RejectsAsWritten(parsed.status(), o.name))
          << "procleak(1) SYNOPSIS: " << l.command << " " << o.name << " " << o.placeholder << ": "
          << parsed.status();
      if (!o.placeholder.empty()) {
        args.pop_back();  // a value option without its value is an error
        EXPECT_FALSE(ParseArgs(args).ok()) << l.command << " " << o.name << " without a value";
      }
    }
  }
}

TEST(ManSynopsis, EveryAcceptedOption_IsListed) {
  const std::string man = ReadMan();
  const std::set<std::string> documented = DocumentedOptions(man);
  const std::map<std::string, std::string> aliases = Aliases(man);
  ASSERT_TRUE(documented.count("--root") && documented.count("--fail-on"));
  ASSERT_TRUE(aliases.count("--output")) << "-o, --output not found under OPTIONS";
  for (const SynopsisLine& l : CommandLines(man)) {
    std::set<std::string> listed;
    for (const SynopsisOption& o : l.options) listed.insert(o.name);
    for (const std::string& option : documented) {
      auto alias = aliases.find(option);
      if (listed.count(option) || (alias != aliases.end() && listed.count(alias->second))) {
        continue;
      }
      // Help is every command's; procleak(1) documents it once, not on each line.
      if (option == "--help" || option == "-h") continue;
      std::vector<std::string> args = BaseArgs(l);
      args.push_back(option);
      absl::StatusOr<CliArgs> parsed = ParseArgs(args);
      EXPECT_TRUE(!parsed.ok() &&
                  absl::StrContains(parsed.status().message(), "unknown option '" + option + "'"))
          << l.command << " accepts " << option
          << ", which its procleak(1) SYNOPSIS line does not list: " << parsed.status();
    }
  }
}

}  // namespace
}  // namespace procleak
