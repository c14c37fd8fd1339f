// SPDX-License-Identifier: Apache-2.0
#include "testing/json_expect.h"

#include <gtest/gtest.h>

namespace procleak::testing {

Json ParseJson(const std::string& text) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << "not JSON: " << text.substr(0, 500);
  return doc;
}

const Json& Field(const Json& obj, const std::string& key) {
  static const Json kMissing(Json::value_t::discarded);
  if (!obj.is_object() || !obj.contains(key)) {
    ADD_FAILURE() << "missing field \"" << key << "\" in " << obj.dump().substr(0, 300);
    return kMissing;
  }
  return obj[key];
}

void ExpectCount(const Json& obj, const std::string& key, std::optional<uint64_t> want,
                 const std::string& where) {
  const Json& got = Field(obj, key);
  if (!want) {
    EXPECT_TRUE(got.is_null()) << where << "." << key << " should be null, got " << got;
  } else {
    EXPECT_TRUE(got.is_number_integer())
        << where << "." << key << " should be an integer, got " << got;
    EXPECT_EQ(got, *want) << where << "." << key;
  }
}

const Json* FindBy(const Json& array, const std::string& key, const Json& value) {
  if (!array.is_array()) return nullptr;
  for (const Json& item : array) {
    if (item.is_object() && item.contains(key) && item[key] == value) return &item;
  }
  return nullptr;
}

}  // namespace procleak::testing
