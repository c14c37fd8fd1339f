// SPDX-License-Identifier: Apache-2.0
// The headers most test files include, parsed once per build into a precompiled header that every
// test source is compiled with (tests/meson.build): gtest, gmock, nlohmann/json and abseil cost
// about four seconds per file to parse, more than most tests' own code.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "procleak/scan.h"
#include "procleak/snapshot.h"
