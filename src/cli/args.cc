// SPDX-License-Identifier: Apache-2.0
#include "cli/args.h"

#include <charconv>

#include "absl/status/status.h"
#include "fmt/format.h"

namespace procleak {
namespace {

absl::Status UsageError(std::string message) {
  return absl::InvalidArgumentError(fmt::format("{} (see 'procleak help')", message));
}

// Splits "--opt=value" into name and value; plain "--opt" leaves value unset.
void SplitOption(const std::string& arg, std::string* name, std::optional<std::string>* value) {
  size_t eq = arg.find('=');
  if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
    *name = arg.substr(0, eq);
    *value = arg.substr(eq + 1);
  } else {
    *name = arg;
    value->reset();
  }
}

absl::Status ParseScanOptions(const std::vector<std::string>& args, size_t i, CliArgs* out) {
  for (; i < args.size(); ++i) {
    std::string name;
    std::optional<std::string> value;
    SplitOption(args[i], &name, &value);
    auto take_value = [&]() -> absl::StatusOr<std::string> {
      if (value) return *value;
      if (i + 1 >= args.size()) return UsageError(fmt::format("scan: {} needs a value", name));
      return args[++i];
    };
    if (name == "--json" || name == "--tree" || name == "--pss" || name == "--no-sandbox") {
      if (value) return UsageError(fmt::format("scan: {} takes no value", name));
      if (name == "--no-sandbox") {
        out->sandbox = false;
      } else {
        (name == "--json" ? out->json : name == "--tree" ? out->tree : out->pss) = true;
      }
    } else if (name == "--rules" || name == "--docker-root") {
      absl::StatusOr<std::string> path = take_value();
      if (!path.ok()) return path.status();
      if (path->empty()) return UsageError(fmt::format("scan: {} needs a path", name));
      (name == "--rules" ? out->rules_file : out->docker_root) = *path;
    } else if (name == "--fail-on") {
      absl::StatusOr<std::string> level = take_value();
      if (!level.ok()) return level.status();
      if (*level != "critical" && *level != "warning" && *level != "info" && *level != "never") {
        return UsageError(fmt::format(
            "scan: --fail-on takes critical, warning, info or never, not '{}'", *level));
      }
      out->fail_on = *level;
    } else if (name == "--root") {
      absl::StatusOr<std::string> root = take_value();
      if (!root.ok()) return root.status();
      if (root->empty()) return UsageError("scan: --root needs a directory");
      out->root = *root;
    } else if (name == "--pid") {
      absl::StatusOr<std::string> text = take_value();
      if (!text.ok()) return text.status();
      int pid = 0;
      auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), pid);
      if (text->empty() || ec != std::errc() || ptr != text->data() + text->size() || pid <= 0) {
        return UsageError(fmt::format("scan: --pid needs a positive number, not '{}'", *text));
      }
      out->pid = pid;
    } else if (name.rfind('-', 0) == 0) {
      return UsageError(fmt::format("scan: unknown option '{}'", name));
    } else {
      return UsageError(fmt::format("scan: unexpected argument '{}'", name));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CliArgs> ParseArgs(const std::vector<std::string>& args) {
  CliArgs out;
  if (args.empty()) return UsageError("no command given");
  const std::string& command = args[0];
  if (command == "help" || command == "--help" || command == "-h") {
    out.command = Command::kHelp;
    return out;
  }
  if (command == "--version" || command == "version") {
    out.command = Command::kVersion;
    return out;
  }
  if (command == "scan") {
    out.command = Command::kScan;
    absl::Status status = ParseScanOptions(args, 1, &out);
    if (!status.ok()) return status;
    return out;
  }
  return UsageError(fmt::format("unknown command '{}'", command));
}

std::string HelpText() {
  return R"(usage: procleak COMMAND [OPTIONS]

Explains where a Linux host's processes and memory went, from /proc and
/sys/fs/cgroup alone.

commands:
  scan        report host memory, containers, duplicate spawn chains and other
              findings with evidence and actions, cgroups, largest processes
  help        show this text
  --version   print the version

scan options:
  --root DIR  read DIR/proc and DIR/sys/fs/cgroup instead of / (fixture trees,
              a host's file system mounted elsewhere)
  --json      print one JSON document (schema procleak.scan/1)
  --tree      print the process tree with subtree process counts and RSS
  --pid PID   limit the tree and the process list to PID's subtree
  --pss       also read PSS from /proc/PID/smaps_rollup (slower, exact sharing)
  --rules FILE
              add rules from FILE (see procleak-rules(5)) before the built-in ones
  --docker-root DIR
              Docker's data root, read under --root (default /var/lib/docker)
  --fail-on SEVERITY
              exit 1 when a finding at or above SEVERITY exists: critical,
              warning (default), info or never
  --no-sandbox
              do not install the seccomp filter that allows only reading
              (a forbidden system call otherwise ends the scan with status 2)

exit status: 0 no finding at --fail-on or above, 1 such findings, 2 error.
See procleak(1).
)";
}

}  // namespace procleak
