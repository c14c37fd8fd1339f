// SPDX-License-Identifier: Apache-2.0
// Parser costs per call: the per-process work of a scan.
#include <benchmark/benchmark.h>

#include <string>

#include "procfs/cgroup_file_parser.h"
#include "procfs/cmdline_parser.h"
#include "procfs/stat_parser.h"
#include "procfs/status_parser.h"

namespace procleak {
namespace {

const std::string kStat =
    "13350 (node) S 13348 13348 4003 0 -1 4194304 134 0 1 0 0 0 0 0 20 0 11 0 283419 3133440 "
    "381 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
const std::string kCmdline = std::string("node\0/usr/local/lib/node_modules/@scope/server-x/dist/"
                                         "index.js\0--port\0003000\0",
                                         70);
const std::string kCgroup =
    "9:name=systemd:/\n8:pids:/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00d"
    "d303d\n4:memory:/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d\n0::/"
    "\n";
const std::string kStatus =
    "Name:\tnode\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t13350\nNgid:\t0\nPid:\t13350\nPPid:\t"
    "13348\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nFDSize:\t64\n"
    "VmPeak:\t 1100000 kB\nVmSize:\t 1000000 kB\nVmRSS:\t   65000 kB\nRssAnon:\t   50000 kB\n"
    "Threads:\t11\nSigQ:\t0/95000\nCpus_allowed_list:\t0-1\nvoluntary_ctxt_switches:\t150\n";

void BM_ParseStat(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseStat(kStat));
}
BENCHMARK(BM_ParseStat);

void BM_ParseStatus(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseStatus(kStatus));
}
BENCHMARK(BM_ParseStatus);

void BM_ParseCmdline(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseCmdline(kCmdline));
}
BENCHMARK(BM_ParseCmdline);

void BM_ParseProcCgroup(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseProcCgroup(kCgroup));
}
BENCHMARK(BM_ParseProcCgroup);

}  // namespace
}  // namespace procleak

BENCHMARK_MAIN();
