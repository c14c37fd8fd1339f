// SPDX-License-Identifier: Apache-2.0
// /proc parser costs per call on whole real files: the per-process (and per-scan) CPU work of a
// scan, apart from the system calls that read them.
#include <benchmark/benchmark.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "parse_bench.h"
#include "procfs/cgroup_file_parser.h"
#include "procfs/cmdline_parser.h"
#include "procfs/meminfo_parser.h"
#include "procfs/smaps_rollup_parser.h"
#include "procfs/stat_parser.h"
#include "procfs/statm_parser.h"
#include "procfs/status_parser.h"

namespace procleak {
namespace {

const std::string kStat =
    "13350 (node) S 13348 13348 4003 0 -1 4194304 18734 0 1 0 412 97 0 0 20 0 11 0 283419 "
    "1059512320 16252 18446744073709551615 94614056554496 94614103275697 140727710311360 0 0 0 0 "
    "4096 134234626 0 0 0 17 1 0 0 0 0 0 94614106010712 94614106354616 94614132420608 "
    "140727710318253 140727710318336 140727710318336 140727710322658 0\n";
// comm is everything between the first '(' and the last ')': here "my app) (v2".
const std::string kStatOddComm =
    "4242 (my app) (v2) S 1 4242 4242 0 -1 4194560 2210 0 0 0 31 9 0 0 20 0 3 0 99120 "
    "230686720 5120 18446744073709551615 94355156172800 94355156365731 140724877725696 0 0 0 0 "
    "4096 17642 1 0 0 17 0 0 0 0 0 0 94355156373504 94355156380256 94355172950016 "
    "140724877729341 140724877729377 140724877729377 140724877729765 0\n";
const std::string kStatm = "258670 16252 8639 11138 0 26303 0\n";

// A whole status file of a node process on a 6.8 kernel, every key in the kernel's order.
const std::string kStatus =
    "Name:\tnode\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t13350\nNgid:\t0\nPid:\t13350\n"
    "PPid:\t13348\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n"
    "FDSize:\t64\nGroups:\t4 24 27 30 46 100 118 1000 \nNStgid:\t13350\nNSpid:\t13350\n"
    "NSpgid:\t13348\nNSsid:\t4003\nKthread:\t0\nVmPeak:\t 1100216 kB\nVmSize:\t 1034680 kB\n"
    "VmLck:\t       0 kB\nVmPin:\t       0 kB\nVmHWM:\t   68120 kB\nVmRSS:\t   65008 kB\n"
    "RssAnon:\t   30452 kB\nRssFile:\t   34556 kB\nRssShmem:\t       0 kB\n"
    "VmData:\t  105212 kB\nVmStk:\t     136 kB\nVmExe:\t   45620 kB\nVmLib:\t    5320 kB\n"
    "VmPTE:\t     868 kB\nVmSwap:\t       0 kB\nHugetlbPages:\t       0 kB\nCoreDumping:\t0\n"
    "THP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\nThreads:\t11\nSigQ:\t0/63422\n"
    "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n"
    "SigIgn:\t0000000001001000\nSigCgt:\t0000000188004602\nCapInh:\t0000000000000000\n"
    "CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t000001ffffffffff\n"
    "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
    "Speculation_Store_Bypass:\tthread vulnerable\n"
    "SpeculationIndirectBranch:\tconditional enabled\nCpus_allowed:\tff\n"
    "Cpus_allowed_list:\t0-7\nMems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n"
    "voluntary_ctxt_switches:\t1502\nnonvoluntary_ctxt_switches:\t37\n"
    "x86_Thread_features:\t\nx86_Thread_features_locked:\t\n";

// argv as the kernel stores it: each argument followed by a NUL.
std::string Argv(std::initializer_list<std::string_view> args) {
  std::string out;
  for (std::string_view a : args) {
    out.append(a);
    out.push_back('\0');
  }
  return out;
}

const std::string kCmdline =
    Argv({"node", "/usr/local/lib/node_modules/@scope/server-x/dist/index.js", "--port", "3000"});

// A JVM with a long classpath: 128 KiB of arguments, the size a cmdline read must not choke on.
std::string LongCmdline() {
  std::string classpath;
  for (int i = 0; classpath.size() < 128 * 1024 - 128; ++i) {
    classpath +=
        "/opt/app/lib/dependency-" + std::to_string(i) + "-1.2." + std::to_string(i % 17) + ".jar:";
  }
  return Argv({"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "-Xmx2g", "-cp", classpath,
               "com.example.Main", "--spring.profiles.active=prod"});
}

const std::string kCgroupV2 =
    "0::/system.slice/docker-ae2a7b7d6e14d304f65fdc524edda060a4b86c7834657436fb88c3afa495de8d"
    ".scope\n";
// Hybrid hierarchy (v1 controllers plus the unified 0:: line), 13 lines.
std::string HybridCgroup() {
  const std::string scope =
      "/system.slice/docker-2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d"
      ".scope";
  return "12:rdma:/\n11:hugetlb:/\n10:cpuset:/\n9:net_cls,net_prio:/\n8:freezer:/\n"
         "7:perf_event:/\n6:devices:" +
         scope + "\n5:pids:" + scope + "\n4:cpu,cpuacct:" + scope + "\n3:blkio:" + scope +
         "\n2:memory:" + scope + "\n1:name=systemd:" + scope + "\n0::/\n";
}

const std::string kMeminfo =
    "MemTotal:       65842216 kB\nMemFree:         2410220 kB\nMemAvailable:   23110504 kB\n"
    "Buffers:          202340 kB\nCached:         19614280 kB\nSwapCached:            0 kB\n"
    "Active:         32103384 kB\nInactive:       21733284 kB\nActive(anon):   30401228 kB\n"
    "Inactive(anon):     8920 kB\nActive(file):    1702156 kB\nInactive(file): 21724364 kB\n"
    "Unevictable:           0 kB\nMlocked:               0 kB\nSwapTotal:       8388604 kB\n"
    "SwapFree:        8388604 kB\nZswap:                 0 kB\nZswapped:              0 kB\n"
    "Dirty:               412 kB\nWriteback:             0 kB\nAnonPages:      30390140 kB\n"
    "Mapped:           411288 kB\nShmem:             19908 kB\nKReclaimable:     188212 kB\n"
    "Slab:             301148 kB\nSReclaimable:     188212 kB\nSUnreclaim:       112936 kB\n"
    "KernelStack:       39872 kB\nPageTables:        121940 kB\nSecPageTables:         0 kB\n"
    "NFS_Unstable:          0 kB\nBounce:                0 kB\nWritebackTmp:          0 kB\n"
    "CommitLimit:    41309712 kB\nCommitted_AS:   64812232 kB\nVmallocTotal:   34359738367 kB\n"
    "VmallocUsed:       41232 kB\nVmallocChunk:          0 kB\nPercpu:             4928 kB\n"
    "HardwareCorrupted:     0 kB\nAnonHugePages:         0 kB\nShmemHugePages:        0 kB\n"
    "ShmemPmdMapped:        0 kB\nFileHugePages:         0 kB\nFilePmdMapped:         0 kB\n"
    "HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
    "HugePages_Surp:        0\nHugepagesize:       2048 kB\nHugetlb:               0 kB\n"
    "DirectMap4k:      268108 kB\nDirectMap2M:     8120320 kB\nDirectMap1G:    60817408 kB\n";

const std::string kProcStat =
    "cpu  1839201 2211 412034 59237103 21044 0 9921 0 0 0\n"
    "cpu0 459800 552 103008 14809275 5261 0 2480 0 0 0\n"
    "cpu1 459817 553 103013 14809306 5262 0 2481 0 0 0\n"
    "cpu2 459834 554 103018 14809337 5263 0 2482 0 0 0\n"
    "cpu3 459851 555 103023 14809368 5264 0 2483 0 0 0\n"
    "intr 409211865 9 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    "ctxt 721092211\nbtime 1772461800\nprocesses 48211\nprocs_running 2\nprocs_blocked 0\n"
    "softirq 118820931 2 28107003 31 6271018 1102938 0 3011 51217013 0 32109915\n";

const std::string kSmapsRollup =
    "55d0c0000000-7ffd10021000 ---p 00000000 00:00 0                          [rollup]\n"
    "Rss:               65008 kB\nPss:               38211 kB\nPss_Dirty:         30480 kB\n"
    "Pss_Anon:          30452 kB\nPss_File:           7759 kB\nPss_Shmem:             0 kB\n"
    "Shared_Clean:      33912 kB\nShared_Dirty:          0 kB\nPrivate_Clean:       644 kB\n"
    "Private_Dirty:     30452 kB\nReferenced:        64100 kB\nAnonymous:         30452 kB\n"
    "KSM:                   0 kB\nLazyFree:              0 kB\nAnonHugePages:         0 kB\n"
    "ShmemPmdMapped:        0 kB\nFilePmdMapped:         0 kB\nShared_Hugetlb:        0 kB\n"
    "Private_Hugetlb:       0 kB\nSwap:                  0 kB\nSwapPss:               0 kB\n"
    "Locked:                0 kB\n";

using bench::Run;

void BM_ParseStat(benchmark::State& state) { Run(state, kStat, ParseStat); }
BENCHMARK(BM_ParseStat);

void BM_ParseStat_CommWithParenAndSpace(benchmark::State& state) {
  Run(state, kStatOddComm, ParseStat);
}
BENCHMARK(BM_ParseStat_CommWithParenAndSpace);

void BM_ParseStatm(benchmark::State& state) { Run(state, kStatm, ParseStatm); }
BENCHMARK(BM_ParseStatm);

void BM_ParseStatus(benchmark::State& state) { Run(state, kStatus, ParseStatus); }
BENCHMARK(BM_ParseStatus);

void BM_ParseCmdline_Short(benchmark::State& state) { Run(state, kCmdline, ParseCmdline); }
BENCHMARK(BM_ParseCmdline_Short);

void BM_ParseCmdline_128KiB(benchmark::State& state) {
  static const std::string input = LongCmdline();
  Run(state, input, ParseCmdline);
}
BENCHMARK(BM_ParseCmdline_128KiB);

void BM_ParseProcCgroup_V2(benchmark::State& state) { Run(state, kCgroupV2, ParseProcCgroup); }
BENCHMARK(BM_ParseProcCgroup_V2);

void BM_ParseProcCgroup_Hybrid13Lines(benchmark::State& state) {
  static const std::string input = HybridCgroup();
  Run(state, input, ParseProcCgroup);
}
BENCHMARK(BM_ParseProcCgroup_Hybrid13Lines);

void BM_ParseMemInfo(benchmark::State& state) { Run(state, kMeminfo, ParseMemInfo); }
BENCHMARK(BM_ParseMemInfo);

void BM_ParseBootTime(benchmark::State& state) { Run(state, kProcStat, ParseBootTime); }
BENCHMARK(BM_ParseBootTime);

void BM_ParseSmapsRollup(benchmark::State& state) { Run(state, kSmapsRollup, ParseSmapsRollup); }
BENCHMARK(BM_ParseSmapsRollup);

}  // namespace
}  // namespace procleak

BENCHMARK_MAIN();
