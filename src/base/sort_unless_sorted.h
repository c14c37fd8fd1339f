// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <vector>

namespace procleak {

// Sorts `items` by `less`, stably, unless they are in order already: what a scan makes mostly
// comes in pid order, and checking that costs less than moving every record.
template <typename T, typename Less>
void SortUnlessSorted(std::vector<T>& items, Less less) {
  if (!std::is_sorted(items.begin(), items.end(), less)) {
    std::stable_sort(items.begin(), items.end(), less);
  }
}

}  // namespace procleak
