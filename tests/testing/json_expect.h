// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: checks on procleak.scan/1 documents that report a failure instead of throwing.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace procleak::testing {

using Json = nlohmann::json;

// Parses `text`; a discarded value (after reporting the failure) when it is not JSON.
Json ParseJson(const std::string& text);

// obj[key], reporting a missing key (field names are a contract) instead of throwing.
const Json& Field(const Json& obj, const std::string& key);

// A number field that must be null (want == nullopt) or an integer equal to *want.
void ExpectCount(const Json& obj, const std::string& key, std::optional<uint64_t> want,
                 const std::string& where);

// The element of `array` whose `key` equals `value`, or null.
const Json* FindBy(const Json& array, const std::string& key, const Json& value);

}  // namespace procleak::testing
