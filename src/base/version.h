// SPDX-License-Identifier: Apache-2.0
#pragma once
// The procleak version every JSON document names in its "procleak_version" member: meson's
// project version, through the configured procleak/version.h, so there is one source for it.

#include "procleak/version.h"

namespace procleak {

inline constexpr const char* kProcleakVersion = PROCLEAK_VERSION;
// The top-level member of procleak.scan/1, diff/1, reap/1 and moments/1 that holds it.
inline constexpr const char* kProcleakVersionKey = "procleak_version";

}  // namespace procleak
