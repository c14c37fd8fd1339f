// SPDX-License-Identifier: Apache-2.0
// Stand-in for libFuzzer's main: replays seed files and deterministic mutations of them through
// LLVMFuzzerTestOneInput, so a short fuzz run is part of the ordinary test suite.
//
// Usage: replay [--mutations=N] [--max-seeds=M] SPEC...
//   SPEC is [SELECTOR=]PATH: PATH is a directory (its regular files), a file or a glob(3) pattern;
//   SELECTOR, when given, is prepended to every file read (it picks the parser, see fuzz_input.h).
//   Files matched by one SPEC are sorted and thinned evenly to at most M (default 20) seeds.

#include <glob.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

constexpr size_t kMaxInput = 1 << 20;  // seeds beyond this are cut (libFuzzer's -max_len idea)

std::vector<std::string> Expand(const std::string& pattern) {
  std::vector<std::string> paths;
  std::error_code ec;
  if (std::filesystem::is_directory(pattern, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(pattern, ec)) {
      if (entry.is_regular_file(ec)) paths.push_back(entry.path().string());
    }
  } else {
    glob_t g{};
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        if (std::filesystem::is_regular_file(g.gl_pathv[i], ec)) paths.emplace_back(g.gl_pathv[i]);
      }
    }
    globfree(&g);
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<std::string> Thin(const std::vector<std::string>& paths, size_t max) {
  if (paths.size() <= max) return paths;
  std::vector<std::string> picked;
  for (size_t i = 0; i < max; ++i) picked.push_back(paths[i * paths.size() / max]);
  return picked;
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (out.size() > kMaxInput) out.resize(kMaxInput);
  return true;
}

class Mutator {
 public:
  explicit Mutator(std::mt19937& rng) : rng_(rng) {}

  // One to three stacked edits of `in`.
  std::string Mutate(const std::string& in) {
    std::string s = in;
    int edits = 1 + static_cast<int>(Below(3));
    for (int i = 0; i < edits; ++i) EditOnce(s);
    return s;
  }

 private:
  size_t Below(size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }

  void EditOnce(std::string& s) {
    static constexpr std::string_view kTokens[] = {
        ")",
        ":",
        "\n",
        std::string_view("\0", 1),
        "\\",
        "\"",
        " ",
        "=",
        "-1",
        "99999999999999999999",
        "18446744073709551616",
        "9223372036854775808",
        "max",
        "((",
        "\xff\xfe",
        "[",
        "{",
        "}",
        "#",
    };
    // The selector byte (position 0) is kept most of the time so edits land in the same parser.
    size_t lo = s.empty() ? 0 : 1;
    size_t body = s.size() - lo;
    switch (Below(6)) {
      case 0:  // bit flip
        if (body > 0) s[lo + Below(body)] ^= static_cast<char>(1u << Below(8));
        break;
      case 1:  // random byte insert
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(lo + Below(body + 1)),
                 static_cast<char>(Below(256)));
        break;
      case 2:  // delete a run of bytes
        if (body > 0) {
          size_t at = lo + Below(body);
          s.erase(at, 1 + Below(std::min<size_t>(16, s.size() - at)));
        }
        break;
      case 3:  // duplicate a chunk somewhere
        if (body > 0) {
          size_t at = lo + Below(body);
          std::string chunk = s.substr(at, 1 + Below(std::min<size_t>(256, s.size() - at)));
          s.insert(lo + Below(body + 1), chunk);
        }
        break;
      default: {  // insert a token that parsers split or convert on
        std::string_view tok = kTokens[Below(std::size(kTokens))];
        s.insert(lo + Below(body + 1), tok.data(), tok.size());
        break;
      }
    }
    if (s.size() > kMaxInput) s.resize(kMaxInput);
  }

  std::mt19937& rng_;
};

uint64_t g_runs = 0;

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  ++g_runs;
}

}  // namespace

int main(int argc, char** argv) {
  size_t mutations = 200;
  size_t max_seeds = 20;
  std::vector<std::string> specs;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--mutations=")) {
      mutations = std::strtoul(argv[i] + 12, nullptr, 10);
    } else if (arg.starts_with("--max-seeds=")) {
      max_seeds = std::strtoul(argv[i] + 12, nullptr, 10);
    } else {
      specs.emplace_back(arg);
    }
  }

  std::mt19937 rng(1);
  Mutator mutator(rng);
  size_t seeds = 0;
  for (const std::string& spec : specs) {
    std::string prefix, pattern = spec;
    if (size_t eq = spec.find('='); eq != std::string::npos && eq < spec.find('/')) {
      prefix = spec.substr(0, eq);
      pattern = spec.substr(eq + 1);
    }
    std::vector<std::string> paths = Thin(Expand(pattern), max_seeds);
    if (paths.empty()) {
      std::fprintf(stderr, "replay: no seed files match '%s'\n", pattern.c_str());
      return 1;
    }
    for (const std::string& path : paths) {
      std::string body;
      if (!ReadFile(path, body)) {
        std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
        return 1;
      }
      std::string seed = prefix + body;
      ++seeds;
      Run(seed);
      Run(prefix);  // the empty file
      for (size_t eighth = 1; eighth < 8; ++eighth) {
        Run(prefix + body.substr(0, body.size() * eighth / 8));
      }
      for (size_t i = 0; i < mutations; ++i) Run(mutator.Mutate(seed));
    }
  }
  std::printf("replay: %zu seeds, %llu executions\n", seeds,
              static_cast<unsigned long long>(g_runs));
  return 0;
}
