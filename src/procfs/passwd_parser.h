// SPDX-License-Identifier: Apache-2.0
#pragma once
// The user database, passwd(5): user names to uids for scan --user NAME, read under --root so that
// a fixture tree or another host's file system names its own users.

#include <cstdint>
#include <optional>
#include <string_view>

namespace procleak {

// The uid of the first line of `passwd` (passwd(5): name:password:UID:GID:GECOS:dir:shell) whose
// name is `name`; nullopt when none is. Lines that are not of that form (blank, "#" comments, NIS
// "+" and "-" entries, a uid that is not a number below 2^32 - 1) are skipped.
std::optional<uint32_t> UidOfUser(std::string_view passwd, std::string_view name);

}  // namespace procleak
