// SPDX-License-Identifier: Apache-2.0
#include "procfs/smaps_rollup_parser.h"

#include "base/keyed_values.h"

namespace procleak {
namespace {

constexpr KeyedField<SmapsRollup> kFields[] = {
    {"Rss", &SmapsRollup::rss, 1024},
    {"Pss", &SmapsRollup::pss, 1024},
    {"Pss_Anon", &SmapsRollup::pss_anon, 1024},
    {"Pss_File", &SmapsRollup::pss_file, 1024},
    {"Pss_Shmem", &SmapsRollup::pss_shmem, 1024},
    {"Swap", &SmapsRollup::swap, 1024},
    {"SwapPss", &SmapsRollup::swap_pss, 1024},
};

}  // namespace

absl::StatusOr<SmapsRollup> ParseSmapsRollup(std::string_view text) {
  SmapsRollup out;
  absl::Status status = ParseKeyedValues<SmapsRollup>(text, kFields, &out);
  if (!status.ok()) return status;
  return out;
}

}  // namespace procleak
