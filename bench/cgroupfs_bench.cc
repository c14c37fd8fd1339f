// SPDX-License-Identifier: Apache-2.0
// cgroupfs parser costs per call on whole real files: mountinfo once per scan, the memory, pids
// and pressure files once per cgroup.
#include <benchmark/benchmark.h>

#include <string>

#include "parse_bench.h"
#include "cgroupfs/memory_files.h"
#include "cgroupfs/mountinfo_parser.h"

namespace procleak {
namespace {

// /proc/self/mountinfo of an Ubuntu 24.04 Docker host: 30 rows, one cgroup2, overlays and netns
// with long options, and a mount point with an escaped space.
const std::string kMountInfo =
    "28 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,discard,errors=remount-ro\n"
    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:14 - proc proc rw\n"
    "24 28 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev "
    "rw,size=32874556k,nr_inodes=8218639,mode=755,inode64\n"
    "25 24 0:23 / /dev/pts rw,nosuid,noexec,relatime shared:3 - devpts devpts "
    "rw,gid=5,mode=620,ptmxmode=000\n"
    "26 28 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs "
    "rw,size=6584224k,mode=755,inode64\n"
    "29 22 0:6 / /sys/kernel/security rw,nosuid,nodev,noexec,relatime shared:8 - securityfs "
    "securityfs rw\n"
    "30 24 0:25 / /dev/shm rw,nosuid,nodev shared:4 - tmpfs tmpfs rw,inode64\n"
    "31 26 0:26 / /run/lock rw,nosuid,nodev,noexec,relatime shared:6 - tmpfs tmpfs "
    "rw,size=5120k,inode64\n"
    "32 22 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n"
    "33 22 0:28 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw\n"
    "34 22 0:29 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf bpf rw,mode=700\n"
    "35 23 0:30 / /proc/sys/fs/binfmt_misc rw,relatime shared:12 - autofs systemd-1 "
    "rw,fd=32,pgrp=1,timeout=0,minproto=5,maxproto=5,direct,pipe_ino=17735\n"
    "36 24 0:19 / /dev/mqueue rw,nosuid,nodev,noexec,relatime shared:15 - mqueue mqueue rw\n"
    "37 24 0:31 / /dev/hugepages rw,relatime shared:16 - hugetlbfs hugetlbfs rw,pagesize=2M\n"
    "38 22 0:7 / /sys/kernel/debug rw,nosuid,nodev,noexec,relatime shared:17 - debugfs debugfs "
    "rw\n"
    "39 22 0:12 / /sys/kernel/tracing rw,nosuid,nodev,noexec,relatime shared:18 - tracefs "
    "tracefs rw\n"
    "40 22 0:32 / /sys/fs/fuse/connections rw,nosuid,nodev,noexec,relatime shared:19 - fusectl "
    "fusectl rw\n"
    "41 22 0:20 / /sys/kernel/config rw,nosuid,nodev,noexec,relatime shared:20 - configfs "
    "configfs rw\n"
    "90 28 7:0 / /snap/core22/1621 ro,nodev,relatime shared:46 - squashfs /dev/loop0 "
    "ro,errors=continue,threads=single\n"
    "96 28 252:15 / /boot/efi rw,relatime shared:50 - vfat /dev/vda15 "
    "rw,fmask=0077,dmask=0077,codepage=437,iocharset=iso8859-1,shortname=mixed,errors=remount-ro\n"
    "98 28 8:17 / /media/backup\\040disk rw,nosuid,nodev,relatime shared:51 - ext4 /dev/sdb1 rw\n"
    "512 26 0:4 net:[4026532613] /run/docker/netns/7f3c1a2b9e0d rw shared:270 - nsfs nsfs rw\n"
    "530 28 0:51 / /var/lib/docker/overlay2/8c1e0fa3b9d1c7e5/merged rw,relatime - overlay "
    "overlay rw,lowerdir=/var/lib/docker/overlay2/l/Q7GJ5ZK2:/var/lib/docker/overlay2/l/R2MXW4PA:"
    "/var/lib/docker/overlay2/l/T3N8V6QB,upperdir=/var/lib/docker/overlay2/8c1e0fa3b9d1c7e5/diff,"
    "workdir=/var/lib/docker/overlay2/8c1e0fa3b9d1c7e5/work,nouserxattr\n"
    "540 26 0:52 / /run/docker/containers/8c1e0fa3b9d1/mounts/shm "
    "rw,nosuid,nodev,noexec,relatime shared:280 - tmpfs shm rw,size=65536k,inode64\n"
    "545 26 0:4 net:[4026532710] /run/docker/netns/1b2d9e4f5a60 rw shared:290 - nsfs nsfs rw\n"
    "560 28 0:55 / /var/lib/docker/overlay2/2f9d4b1a6c3e8d70/merged rw,relatime - overlay "
    "overlay rw,lowerdir=/var/lib/docker/overlay2/l/A1B2C3D4:/var/lib/docker/overlay2/l/E5F6G7H8,"
    "upperdir=/var/lib/docker/overlay2/2f9d4b1a6c3e8d70/diff,"
    "workdir=/var/lib/docker/overlay2/2f9d4b1a6c3e8d70/work,nouserxattr\n"
    "570 26 0:56 / /run/docker/containers/2f9d4b1a6c3e/mounts/shm "
    "rw,nosuid,nodev,noexec,relatime shared:300 - tmpfs shm rw,size=65536k,inode64\n"
    "575 26 0:4 net:[4026532801] /run/docker/netns/9a8b7c6d5e4f rw shared:310 - nsfs nsfs rw\n"
    "590 26 0:58 / /run/user/1000 rw,nosuid,nodev,relatime shared:320 - tmpfs tmpfs "
    "rw,size=6584220k,nr_inodes=1646055,mode=700,uid=1000,gid=1000,inode64\n";

// v1 memory.stat (cgroupfs driver): local counters, then the hierarchical total_* ones.
const std::string kMemoryStatV1 =
    "cache 88080384\nrss 54525952\nrss_huge 0\nshmem 0\nmapped_file 30408704\ndirty 135168\n"
    "writeback 0\nswap 0\npgpgin 1209345\npgpgout 1174531\npgfault 1482304\npgmajfault 231\n"
    "inactive_anon 0\nactive_anon 54394880\ninactive_file 44040192\nactive_file 44040192\n"
    "unevictable 0\nhierarchical_memory_limit 536870912\nhierarchical_memsw_limit "
    "9223372036854771712\ntotal_cache 88080384\ntotal_rss 54525952\ntotal_rss_huge 0\n"
    "total_shmem 0\ntotal_mapped_file 30408704\ntotal_dirty 135168\ntotal_writeback 0\n"
    "total_swap 0\ntotal_pgpgin 1209345\ntotal_pgpgout 1174531\ntotal_pgfault 1482304\n"
    "total_pgmajfault 231\ntotal_inactive_anon 0\ntotal_active_anon 54394880\n"
    "total_inactive_file 44040192\ntotal_active_file 44040192\ntotal_unevictable 0\n";

// v2 memory.stat of a 6.8 kernel: 56 keys.
const std::string kMemoryStatV2 =
    "anon 12582912\nfile 33554432\nkernel 1048576\nkernel_stack 131072\npagetables 174762\n"
    "sec_pagetables 0\npercpu 4320\nsock 0\nvmalloc 8192\nshmem 4096\nzswap 0\nzswapped 0\n"
    "file_mapped 6291456\nfile_dirty 16384\nfile_writeback 0\nswapcached 0\nanon_thp 0\n"
    "file_thp 0\nshmem_thp 0\ninactive_anon 1402197\nactive_anon 11184811\n"
    "inactive_file 16777216\nactive_file 16773120\nunevictable 0\nslab_reclaimable 436906\n"
    "slab_unreclaimable 218454\nslab 655360\nworkingset_refault_anon 0\n"
    "workingset_refault_file 1093\nworkingset_activate_anon 0\nworkingset_activate_file 310\n"
    "workingset_restore_anon 0\nworkingset_restore_file 121\nworkingset_nodereclaim 0\n"
    "pgscan 30211\npgsteal 29870\npgscan_kswapd 28001\npgscan_direct 2210\n"
    "pgscan_khugepaged 0\npgsteal_kswapd 27790\npgsteal_direct 2080\npgsteal_khugepaged 0\n"
    "pgfault 1820331\npgmajfault 412\npgrefill 3011\npgactivate 90122\npgdeactivate 2988\n"
    "pglazyfree 0\npglazyfreed 0\nzswpin 0\nzswpout 0\nzswpwb 0\nthp_fault_alloc 0\n"
    "thp_collapse_alloc 0\nthp_swpout 0\nthp_swpout_fallback 0\n";

const std::string kMemoryEvents = "low 0\nhigh 0\nmax 14\noom 1\noom_kill 1\noom_group_kill 0\n";
const std::string kOomControl = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
const std::string kPressure =
    "some avg10=1.52 avg60=0.87 avg300=0.31 total=4815162\n"
    "full avg10=0.95 avg60=0.52 avg300=0.18 total=2342342\n";

using bench::Run;

void BM_ParseMountInfo_30Rows(benchmark::State& state) { Run(state, kMountInfo, ParseMountInfo); }
BENCHMARK(BM_ParseMountInfo_30Rows);

void BM_ParseMemoryStatV1(benchmark::State& state) { Run(state, kMemoryStatV1, ParseMemoryStatV1); }
BENCHMARK(BM_ParseMemoryStatV1);

void BM_ParseMemoryStatV2(benchmark::State& state) { Run(state, kMemoryStatV2, ParseMemoryStatV2); }
BENCHMARK(BM_ParseMemoryStatV2);

void BM_ParseMemoryEvents(benchmark::State& state) { Run(state, kMemoryEvents, ParseMemoryEvents); }
BENCHMARK(BM_ParseMemoryEvents);

void BM_ParseOomControl(benchmark::State& state) { Run(state, kOomControl, ParseOomControl); }
BENCHMARK(BM_ParseOomControl);

void BM_ParsePressure(benchmark::State& state) { Run(state, kPressure, ParsePressure); }
BENCHMARK(BM_ParsePressure);

void BM_ParseLimit_V1Unlimited(benchmark::State& state) {
  Run(state, "9223372036854771712\n", [](std::string_view text) { return ParseLimit(text, 4096); });
}
BENCHMARK(BM_ParseLimit_V1Unlimited);

void BM_ParseSingleValue(benchmark::State& state) { Run(state, "47185920\n", ParseSingleValue); }
BENCHMARK(BM_ParseSingleValue);

}  // namespace
}  // namespace procleak

BENCHMARK_MAIN();
