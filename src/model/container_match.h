// SPDX-License-Identifier: Apache-2.0
#pragma once
// How an operator names a container on the command line (reap --container, scan --container):
// by its name, its id, or a prefix of its id, as docker(1) takes them.

#include <string_view>

namespace procleak {

// Whether the container with `id` and `name` ("" unknown) is the one `wanted` names. An empty
// `wanted` names none; so does any `wanted` for the host (an empty id).
inline bool ContainerNamed(std::string_view id, std::string_view name, std::string_view wanted) {
  if (wanted.empty() || id.empty()) return false;
  return id.substr(0, wanted.size()) == wanted || (!name.empty() && name == wanted);
}

}  // namespace procleak
