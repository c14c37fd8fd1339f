// SPDX-License-Identifier: Apache-2.0
#pragma once
// The rules files every analysing command reads without being told (procleak-rules(5), FILES):
// the system's /etc/procleak/rules.d/*.rules, then the user's XDG file, then every --rules.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/args.h"

namespace procleak {

inline constexpr const char* kSystemRulesDir = "/etc/procleak/rules.d";
// More files than this in the directory is an error: each may hold up to FileKind::kRules' limit.
inline constexpr size_t kMaxSystemRulesFiles = 256;

// Where the default files are: the system directory and the user's environment. Not under
// --root: rules are the operator's configuration, --root names the host examined.
struct RulesPlaces {
  std::string system_dir = kSystemRulesDir;
  std::string xdg_config_home;  // $XDG_CONFIG_HOME ("" when unset)
  std::string home;             // $HOME ("" when unset)
};

// kSystemRulesDir and this process's XDG_CONFIG_HOME and HOME.
RulesPlaces RulesPlacesOfEnvironment();

// XDG_CONFIG_HOME/procleak/rules when XDG_CONFIG_HOME is an absolute path, else
// HOME/.config/procleak/rules when HOME is one, else "" (the XDG Base Directory rules: a relative
// path in either is ignored).
std::string UserRulesFile(const RulesPlaces& places);

// The default rules files present, in reading order: system_dir's *.rules (names not starting
// with '.') in bytewise (C locale) order, then UserRulesFile. A missing directory or file, or one
// behind a directory this user may not search, is none; a directory that cannot be listed, or
// more than kMaxSystemRulesFiles in it, is an error naming it.
absl::StatusOr<std::vector<std::string>> DefaultRulesFiles(const RulesPlaces& places);

// The rules files a command reads, in order: the defaults (unless --no-default-rules), then each
// --rules FILE as given.
absl::StatusOr<std::vector<std::string>> RulesFilesOf(const CliArgs& args,
                                                      const RulesPlaces& places);

}  // namespace procleak
