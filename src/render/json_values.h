// SPDX-License-Identifier: Apache-2.0
#pragma once
// How optional values and limits appear in the JSON document: null, never 0 or -1.

#include <optional>

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

}  // namespace procleak
