// SPDX-License-Identifier: Apache-2.0
#pragma once
// Why a JSON document does not parse, as one line (for messages that name the file).

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace procleak {

// nlohmann's DOM parse with allow_exceptions=false says only that a document failed; a SAX pass
// over the same text keeps the parser's reason.
class JsonErrorSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    message_ = ex.what();
    return false;
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

// "parse error at line 1, column 12: syntax error while parsing ..." without nlohmann's
// "[json.exception.parse_error.101] " tag, newlines made spaces; "not a JSON document" when the
// parser gave no reason.
inline std::string JsonErrorMessage(std::string_view text) {
  JsonErrorSax sax;
  nlohmann::json::sax_parse(text, &sax, nlohmann::detail::input_format_t::json, /*strict=*/true);
  std::string message = sax.message();
  if (message.starts_with("[json.exception.")) {
    size_t close = message.find("] ");
    if (close != std::string::npos) message.erase(0, close + 2);
  }
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  return message.empty() ? "not a JSON document" : message;
}

}  // namespace procleak
