// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the signature layer: 0 a rules file, 1 a cmdline through ClassifyCommand.

#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "procfs/cmdline_parser.h"
#include "signature/rules.h"
#include "signature/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace procleak;
  fuzz::FuzzInput in;
  if (!fuzz::SplitInput(data, size, in)) return 0;
  switch (in.selector % 2) {
    case 0: {
      auto rules = ParseRules(in.text, "fuzz.conf");
      if (rules.ok()) {
        for (const Rule& rule : RuleTableOf(*rules).rules) fuzz::Check(rule.pattern != nullptr);
      }
      break;
    }
    case 1:
      (void)ClassifyCommand(ParseCmdline(in.text), "fuzz");
      break;
  }
  return 0;
}
