// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: a temporary directory tree that tests fill with files, removed on destruction.

#include <string>
#include <string_view>

namespace procleak::testing {

class TempTree {
 public:
  TempTree();                                    // mkdtemp under $TMPDIR (or /tmp)
  explicit TempTree(const std::string& parent);  // mkdtemp under `parent`
  ~TempTree();  // removes the whole tree, also when the test failed
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::string& root() const { return root_; }
  // Writes `content` (binary-safe) to root/relative, creating parent directories.
  void Write(std::string_view relative, std::string_view content) const;
  // Creates root/relative and its parents.
  void MakeDir(std::string_view relative) const;
  // Removes root/relative recursively (a file or a directory).
  void Remove(std::string_view relative) const;
  std::string Path(std::string_view relative) const;

 private:
  std::string root_;
};

}  // namespace procleak::testing
