// SPDX-License-Identifier: Apache-2.0
// ParseDockerConfig / ParseDockerHostConfig: the few fields procleak needs from Docker's state
// files, read with nlohmann::json's non-throwing API.

#include "container/docker_state.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "base/json_error.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace procleak {
namespace {

using Json = nlohmann::json;

// "invalid JSON: parse error at line 1, column 12: syntax error while parsing ..." (one line).
absl::Status InvalidJson(std::string_view text) {
  return absl::InvalidArgumentError(fmt::format("invalid JSON: {}", JsonErrorMessage(text)));
}

// The members procleak reads: those of the top-level object named in `top`, and of an object
// member named in `nested` (its parent in `top`) those named there. The parse keeps nothing else
// (a config.v2.json is mostly the container's environment, labels and mounts): its memory stays
// in proportion to what is read, not to the file.
struct Wanted {
  std::initializer_list<std::string_view> top;
  std::string_view parent;
  std::initializer_list<std::string_view> nested;
};

bool Among(std::initializer_list<std::string_view> names, std::string_view name) {
  for (std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

// The top-level object of `text` with the members `wanted` names, or an error for malformed JSON
// or another top-level type.
absl::StatusOr<Json> ParseObject(std::string_view text, const Wanted& wanted) {
  bool in_parent = false;  // the top-level member being parsed is wanted.parent
  auto keep = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (event != Json::parse_event_t::key || !parsed.is_string()) return true;
    const std::string& name = parsed.get_ref<const std::string&>();
    if (depth == 1) {
      in_parent = name == wanted.parent;
      return Among(wanted.top, name);
    }
    return depth == 2 && in_parent && Among(wanted.nested, name);
  };
  Json doc = Json::parse(text, keep, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidJson(text);
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(
        fmt::format("invalid JSON: expected an object, found {}", doc.type_name()));
  }
  return doc;
}

// Typed lookups that treat a missing key or a value of another type as absent.
const Json* Member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string StringMember(const Json& object, const char* key) {
  const Json* value = Member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

bool BoolMember(const Json& object, const char* key) {
  const Json* value = Member(object, key);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

// Non-negative integers only (a float or a negative number counts as absent).
std::optional<uint64_t> UnsignedMember(const Json& object, const char* key) {
  const Json* value = Member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) return value->get<uint64_t>();
  if (value->is_number_integer() && value->get<int64_t>() >= 0) {
    return static_cast<uint64_t>(value->get<int64_t>());
  }
  return std::nullopt;
}

// moby's State.StateString(). Docker's SetRestarting sets Running and Restarting together; a
// file with Restarting alone (hand-written or from another tool) still means restarting.
std::string StateString(const Json& state, bool started) {
  if (BoolMember(state, "Running")) {
    if (BoolMember(state, "Paused")) return "paused";
    if (BoolMember(state, "Restarting")) return "restarting";
    return "running";
  }
  if (BoolMember(state, "Restarting")) return "restarting";
  if (BoolMember(state, "RemovalInProgress")) return "removing";
  if (BoolMember(state, "Dead")) return "dead";
  if (!started) return "created";
  return "exited";
}

// Go's time.Time zero value, which Docker writes for a container that never started.
bool IsGoZeroTime(std::string_view text) { return text.starts_with("0001-01-01T00:00:00"); }

}  // namespace

absl::StatusOr<DockerConfig> ParseDockerConfig(std::string_view json) {
  absl::StatusOr<Json> doc =
      ParseObject(json, {.top = {"ID", "Name", "RestartCount", "State"},
                         .parent = "State",
                         .nested = {"Running", "Paused", "Restarting", "RemovalInProgress", "Dead",
                                    "StartedAt", "Pid"}});
  if (!doc.ok()) return doc.status();
  DockerConfig config;
  config.id = StringMember(*doc, "ID");
  config.name = StringMember(*doc, "Name");
  if (config.name.starts_with('/')) config.name.erase(0, 1);
  config.restart_count = UnsignedMember(*doc, "RestartCount");

  static const Json kNoState = Json::object();
  const Json* state = Member(*doc, "State");
  if (state == nullptr || !state->is_object()) state = &kNoState;
  std::string started_at = StringMember(*state, "StartedAt");
  if (!started_at.empty() && !IsGoZeroTime(started_at)) {
    absl::Time when;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, started_at, &when, &error)) {
      return absl::InvalidArgumentError(
          fmt::format("State.StartedAt: bad time \"{}\": {}", started_at, error));
    }
    config.started_at = when;
  }
  config.state = StateString(*state, config.started_at.has_value());
  std::optional<uint64_t> pid = UnsignedMember(*state, "Pid");
  if (pid && *pid <= static_cast<uint64_t>(INT32_MAX)) config.pid = static_cast<int>(*pid);
  return config;
}

absl::StatusOr<DockerHostConfig> ParseDockerHostConfig(std::string_view json) {
  absl::StatusOr<Json> doc = ParseObject(
      json, {.top = {"Memory", "RestartPolicy"}, .parent = "RestartPolicy", .nested = {"Name"}});
  if (!doc.ok()) return doc.status();
  DockerHostConfig host;
  std::optional<uint64_t> memory = UnsignedMember(*doc, "Memory");
  if (memory && *memory > 0) host.memory_bytes = memory;
  const Json* policy = Member(*doc, "RestartPolicy");
  if (policy != nullptr) host.restart_policy = StringMember(*policy, "Name");
  return host;
}

}  // namespace procleak
