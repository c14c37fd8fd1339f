// SPDX-License-Identifier: Apache-2.0
#include "cli/default_rules.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "absl/status/status.h"
#include "base/fd_closer.h"
#include "base/read_file.h"
#include "fmt/format.h"

namespace procleak {
namespace {

bool IsRulesFileName(std::string_view name) {
  constexpr std::string_view kSuffix = ".rules";
  return !name.starts_with('.') && name.size() > kSuffix.size() && name.ends_with(kSuffix);
}

// False when `path` does not exist, or this user cannot see whether it does: a directory on the
// way may not be searched (EACCES from stat, which needs no permission on the file itself), as
// with a HOME of another user under su or setpriv. Whatever else is wrong, reading it reports.
bool MayExist(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR && errno != EACCES);
}

// A default rules file decides what `reap` stops, and root runs with a user's environment under
// su or sudo -E: one is read only when root or this user owns it and no one else may write it.
absl::Status CheckTrusted(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return absl::OkStatus();  // reading it reports what is wrong
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    return absl::PermissionDeniedError(fmt::format(
        "{}: owned by uid {}, neither root nor this user: not read as a default rules file", path,
        st.st_uid));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return absl::PermissionDeniedError(
        fmt::format("{}: writable by group or others: not read as a default rules file", path));
  }
  return absl::OkStatus();
}

// The *.rules names in `dir`, sorted; none when it does not exist.
absl::StatusOr<std::vector<std::string>> ListRulesDir(const std::string& dir) {
  std::vector<std::string> names;
  if (!MayExist(dir)) return names;
  int fd = -1;
  absl::StatusOr<ReadOutcome> opened = OpenDirAt(AT_FDCWD, "", dir.c_str(), &fd);
  if (!opened.ok()) return opened.status();
  if (*opened == ReadOutcome::kGone) return names;
  if (*opened == ReadOutcome::kDenied) return absl::ErrnoToStatus(EACCES, dir);
  FdCloser fd_closer(fd);
  DIR* listing = fdopendir(fd);
  if (listing == nullptr) return absl::ErrnoToStatus(errno, dir);
  fd_closer.Release();  // closedir closes it
  absl::Status status;
  while (true) {
    errno = 0;
    const dirent* entry = readdir(listing);
    if (entry == nullptr) {
      if (errno != 0) status = absl::ErrnoToStatus(errno, dir);
      break;
    }
    if (!IsRulesFileName(entry->d_name)) continue;
    if (names.size() == kMaxSystemRulesFiles) {
      status = absl::ResourceExhaustedError(
          fmt::format("{}: more than {} .rules files", dir, kMaxSystemRulesFiles));
      break;
    }
    names.emplace_back(entry->d_name);
  }
  closedir(listing);
  if (!status.ok()) return status;
  std::sort(names.begin(), names.end());  // std::string compares bytes: the C locale's order
  return names;
}

std::string EnvOr(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

RulesPlaces RulesPlacesOfEnvironment() {
  RulesPlaces places;
  places.xdg_config_home = EnvOr("XDG_CONFIG_HOME");
  places.home = EnvOr("HOME");
  return places;
}

std::string UserRulesFile(const RulesPlaces& places) {
  if (places.xdg_config_home.starts_with('/')) {
    return JoinPath(places.xdg_config_home, "procleak/rules");
  }
  if (places.home.starts_with('/')) return JoinPath(places.home, ".config/procleak/rules");
  return "";
}

absl::StatusOr<std::vector<std::string>> DefaultRulesFiles(const RulesPlaces& places) {
  absl::StatusOr<std::vector<std::string>> names = ListRulesDir(places.system_dir);
  if (!names.ok()) return names.status();
  std::vector<std::string> files;
  // A name that no longer resolves (a dangling link, a file a package upgrade just removed) is
  // skipped, as a missing directory is.
  for (const std::string& name : *names) {
    const std::string path = JoinPath(places.system_dir, name);
    if (MayExist(path)) files.push_back(path);
  }
  const std::string user = UserRulesFile(places);
  if (!user.empty() && MayExist(user)) files.push_back(user);
  for (const std::string& file : files) {
    if (absl::Status trusted = CheckTrusted(file); !trusted.ok()) return trusted;
  }
  return files;
}

absl::StatusOr<std::vector<std::string>> RulesFilesOf(const CliArgs& args,
                                                      const RulesPlaces& places) {
  std::vector<std::string> files;
  if (args.default_rules) {
    absl::StatusOr<std::vector<std::string>> defaults = DefaultRulesFiles(places);
    if (!defaults.ok()) return defaults.status();
    files = *std::move(defaults);
  }
  files.insert(files.end(), args.rules_files.begin(), args.rules_files.end());
  return files;
}

}  // namespace procleak
