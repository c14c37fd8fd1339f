// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the parser benchmarks: time one parser on one input.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace procleak::bench {

// The message of a failed parse, "" on success (and for parsers that cannot fail).
template <typename T>
std::string ErrorOf(const absl::StatusOr<T>& result) {
  return result.ok() ? std::string() : std::string(result.status().message());
}
template <typename T>
std::string ErrorOf(const T&) {
  return std::string();
}

// Times `parse` on `input`, reporting bytes per second; skips with the error if the input does
// not parse, so a broken input never passes for a fast parser.
template <typename Parse>
void Run(benchmark::State& state, const std::string& input, Parse parse) {
  if (std::string error = ErrorOf(parse(input)); !error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(parse(input));
  state.SetBytesProcessed(static_cast<int64_t>(input.size()) * state.iterations());
}

}  // namespace procleak::bench
