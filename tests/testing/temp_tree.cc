// SPDX-License-Identifier: Apache-2.0
#include "testing/temp_tree.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace procleak::testing {

namespace {

std::string DefaultParent() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

}  // namespace

TempTree::TempTree() : TempTree(DefaultParent()) {}

TempTree::TempTree(const std::string& parent) {
  std::string pattern = parent + "/procleak-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
  root_ = pattern;
}

TempTree::~TempTree() {
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

std::string TempTree::Path(std::string_view relative) const {
  return (std::filesystem::path(root_) / std::filesystem::path(relative).relative_path()).string();
}

void TempTree::Write(std::string_view relative, std::string_view content) const {
  std::filesystem::path path = Path(relative);
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void TempTree::MakeDir(std::string_view relative) const {
  std::filesystem::create_directories(Path(relative));
}

void TempTree::Remove(std::string_view relative) const {
  std::filesystem::remove_all(Path(relative));
}

}  // namespace procleak::testing
