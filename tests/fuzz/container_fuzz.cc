// SPDX-License-Identifier: Apache-2.0
// Fuzz target for Docker's state files: 0 config.v2.json, 1 hostconfig.json.

#include <cstddef>
#include <cstdint>

#include "container/docker_state.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace procleak;
  fuzz::FuzzInput in;
  if (!fuzz::SplitInput(data, size, in)) return 0;
  switch (in.selector % 2) {
    case 0:
      (void)ParseDockerConfig(in.text);
      break;
    case 1:
      (void)ParseDockerHostConfig(in.text);
      break;
  }
  return 0;
}
