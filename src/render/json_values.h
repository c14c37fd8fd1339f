// SPDX-License-Identifier: Apache-2.0
#pragma once
// How optional values and limits appear in the JSON document: null, never 0 or -1.

#include <optional>
#include <string>

#include "nlohmann/json.hpp"
#include "procleak/snapshot.h"

namespace procleak {

template <typename T>
nlohmann::ordered_json Optional(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

// A limit's value, or null when unlimited or unknown.
inline nlohmann::ordered_json LimitJson(const std::optional<Limit>& limit) {
  return limit && !limit->unlimited() ? nlohmann::ordered_json(limit->value())
                                      : nlohmann::ordered_json(nullptr);
}

// A pid, or null for 0 (none).
inline nlohmann::ordered_json PidJson(int pid) {
  return pid != 0 ? nlohmann::ordered_json(pid) : nlohmann::ordered_json(nullptr);
}

// A text, or null when empty.
inline nlohmann::ordered_json TextJson(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text);
}

}  // namespace procleak
