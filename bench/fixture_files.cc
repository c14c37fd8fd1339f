// SPDX-License-Identifier: Apache-2.0
// Renderers for generated fixture trees; the shapes follow tests/data/make_fixtures.py.
#include "fixture_files.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_replace.h"
#include "fmt/format.h"

namespace procleak::bench {
namespace {

constexpr uint64_t kPfKthreadFlags = 2129984;   // 0x208040: PF_KTHREAD | ...
constexpr uint64_t kWorkqueueFlags = 69238880;  // 0x4208060: PF_KTHREAD | PF_WQ_WORKER | ...
constexpr uint64_t kUserFlags = 4194560;        // 0x400100: PF_RANDOMIZE | PF_SUPERPRIV
constexpr uint64_t kZombieFlags = 4227084;      // 0x40800c: PF_EXITING set
constexpr const char* kRssLimit = "18446744073709551615";

bool IsKernelThread(const FakeProcess& p) {
  return p.kind == ProcKind::kKernelThread || p.kind == ProcKind::kWorkqueueWorker;
}

const char* StateName(char state) {
  switch (state) {
    case 'R':
      return "running";
    case 'D':
      return "disk sleep";
    case 'Z':
      return "zombie";
    case 'I':
      return "idle";
    default:
      return "sleeping";
  }
}

// Docker writes its state files as one line; the template below is indented for reading.
std::string Compact(std::string_view indented) {
  std::string out;
  out.reserve(indented.size());
  bool line_start = true;
  for (char c : indented) {
    if (c == '\n') {
      line_start = true;
      continue;
    }
    if (line_start && c == ' ') continue;
    line_start = false;
    out.push_back(c);
  }
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// config.v2.json as dockerd 26 writes it for a compose service with a health check.
constexpr std::string_view kDockerConfigTemplate = R"json({
  "StreamConfig":{},
  "State":{"Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,
    "RemovalInProgress":false,"Dead":false,"Pid":$PID,"ExitCode":0,"Error":"",
    "StartedAt":"$STARTED","FinishedAt":"2026-03-04T09:12:44.502238719Z",
    "Health":{"Status":"healthy","FailingStreak":0,"Log":[
      {"Start":"2026-03-05T11:20:01.000812235Z","End":"2026-03-05T11:20:01.090114671Z","ExitCode":0,"Output":"ok\n"},
      {"Start":"2026-03-05T11:20:31.091340218Z","End":"2026-03-05T11:20:31.170392003Z","ExitCode":0,"Output":"ok\n"},
      {"Start":"2026-03-05T11:21:01.171822140Z","End":"2026-03-05T11:21:01.251733512Z","ExitCode":0,"Output":"ok\n"},
      {"Start":"2026-03-05T11:21:31.253010498Z","End":"2026-03-05T11:21:31.329874106Z","ExitCode":0,"Output":"ok\n"},
      {"Start":"2026-03-05T11:22:01.331442875Z","End":"2026-03-05T11:22:01.410067331Z","ExitCode":0,"Output":"ok\n"}]}},
  "ID":"$ID","Created":"2026-03-02T15:02:17.884102536Z","Managed":false,
  "Path":$PATH,"Args":[$ARGS],
  "Config":{"Hostname":"$SHORT","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,
    "AttachStderr":true,"ExposedPorts":{"8080/tcp":{}},"Tty":false,"OpenStdin":false,
    "StdinOnce":false,
    "Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","NODE_VERSION=20.18.0",
      "YARN_VERSION=1.22.22","NODE_ENV=production","LOG_LEVEL=info","TZ=Etc/UTC",
      "SERVICE_NAME=$NAME"],
    "Cmd":[$ARGS],
    "Healthcheck":{"Test":["CMD-SHELL","wget -qO- http://127.0.0.1:8080/health || exit 1"],
      "Interval":30000000000,"Timeout":5000000000,"Retries":3},
    "Image":"$IMAGE","Volumes":null,"WorkingDir":"/app","Entrypoint":[$PATH],"OnBuild":null,
    "Labels":{"com.docker.compose.config-hash":"$HASH",
      "com.docker.compose.container-number":"1","com.docker.compose.depends_on":"",
      "com.docker.compose.image":"sha256:$IMAGEID","com.docker.compose.oneoff":"False",
      "com.docker.compose.project":"ops","com.docker.compose.project.config_files":"/srv/ops/compose.yaml",
      "com.docker.compose.project.working_dir":"/srv/ops","com.docker.compose.service":"$NAME",
      "com.docker.compose.version":"2.29.7","org.opencontainers.image.source":"https://github.com/example/$NAME",
      "org.opencontainers.image.version":"1.8.3"}},
  "Image":"sha256:$IMAGEID","ImageManifest":null,
  "NetworkSettings":{"Bridge":"","SandboxID":"$SANDBOX","SandboxKey":"/var/run/docker/netns/$NETNS",
    "HairpinMode":false,"LinkLocalIPv6Address":"","LinkLocalIPv6PrefixLen":0,
    "Networks":{"ops_default":{"IPAMConfig":null,"Links":null,"Aliases":["$NAME","$SHORT"],
      "MacAddress":"02:42:ac:12:00:05","DriverOpts":null,"NetworkID":"$NETWORK",
      "EndpointID":"$ENDPOINT","Gateway":"172.18.0.1","IPAddress":"172.18.0.5","IPPrefixLen":16,
      "IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"IPAMOperational":false,
      "DNSNames":["$NAME","$SHORT"]}},
    "Service":null,"Ports":{"8080/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"},{"HostIp":"::","HostPort":"8080"}]},
    "SecondaryIPAddresses":null,"SecondaryIPv6Addresses":null,"IsAnonymousEndpoint":false,
    "HasSwarmEndpoint":false},
  "LogPath":"/var/lib/docker/containers/$ID/$ID-json.log","Name":"/$NAME","Driver":"overlay2",
  "OS":"linux","RestartCount":$RESTARTS,"HasBeenStartedBefore":true,"HasBeenManuallyStopped":false,
  "MountPoints":{
    "/app/data":{"Source":"/srv/ops/data/$NAME","Destination":"/app/data","RW":true,"Name":"",
      "Driver":"","Type":"bind","Propagation":"rprivate",
      "Spec":{"Type":"bind","Source":"/srv/ops/data/$NAME","Target":"/app/data"},
      "SkipMountpointCreation":false},
    "/var/run/docker.sock":{"Source":"/var/run/docker.sock","Destination":"/var/run/docker.sock",
      "RW":false,"Name":"","Driver":"","Type":"bind","Propagation":"rprivate",
      "Spec":{"Type":"bind","Source":"/var/run/docker.sock","Target":"/var/run/docker.sock","ReadOnly":true},
      "SkipMountpointCreation":false}},
  "SecretReferences":null,"ConfigReferences":null,"MountLabel":"","ProcessLabel":"",
  "AppArmorProfile":"docker-default","SeccompProfile":"","NoNewPrivileges":false,
  "HostnamePath":"/var/lib/docker/containers/$ID/hostname",
  "HostsPath":"/var/lib/docker/containers/$ID/hosts",
  "ShmPath":"/var/lib/docker/containers/$ID/mounts/shm",
  "ResolvConfPath":"/var/lib/docker/containers/$ID/resolv.conf",
  "LocalLogCacheMeta":{"HaveNotifyEnabled":false}
}
)json";

}  // namespace

std::string Argv(const std::vector<std::string_view>& args) {
  std::string out;
  for (std::string_view a : args) {
    out.append(a);
    out.push_back('\0');
  }
  return out;
}

std::string Title(std::string_view title, int nuls) {
  return std::string(title) + std::string(static_cast<size_t>(nuls), '\0');
}

void AppendStat(const FakeProcess& p, std::string* out) {
  auto it = std::back_inserter(*out);
  fmt::format_to(it, "{} ({}) {} {} ", p.pid, p.comm, p.state, p.ppid);
  if (IsKernelThread(p)) {
    bool high = p.comm.ends_with('H') || p.comm.find("H-") != std::string::npos;
    fmt::format_to(it,
                   "0 0 0 -1 {} 0 0 0 0 {} {} 0 0 {} {} 1 0 {} 0 0 {} 0 0 0 0 0 0 0 2147483647 0 1 "
                   "0 0 0 {} 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                   p.kind == ProcKind::kWorkqueueWorker ? kWorkqueueFlags : kPfKthreadFlags,
                   p.pid % 7, p.pid % 13, high ? 0 : 20, high ? -20 : 0, p.start, kRssLimit,
                   p.pid % 2);
  } else if (p.kind == ProcKind::kZombie) {  // no mm: sizes and addresses read 0
    fmt::format_to(it,
                   "{} {} 0 -1 {} 95 0 0 0 0 1 0 0 20 0 1 0 {} 0 0 {} 0 0 0 0 0 0 0 0 0 0 0 0 17 "
                   "{} 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                   p.ppid, p.ppid, kZombieFlags, p.start, kRssLimit, p.pid % 2);
  } else {
    uint64_t base = 0x55D0C0000000 + static_cast<uint64_t>(p.pid) * 0x10000;
    uint64_t stack = 0x7FFD10000000 + static_cast<uint64_t>(p.pid) * 0x1000;
    fmt::format_to(it,
                   "{} {} 0 -1 {} {} 0 {} 0 {} {} 0 0 20 0 {} 0 {} {} {} {} {} {} {} 0 0 0 0 4096 "
                   "17642 1 0 0 17 {} 0 0 0 0 0 {} {} {} {} {} {} {} 0\n",
                   p.pid, p.pid, kUserFlags, 1000 + p.pid * 3, 12 + p.pid % 17, p.pid % 97 + 3,
                   p.pid % 41 + 1, p.threads, p.start, p.size * kPageSize, p.rss, kRssLimit, base,
                   base + 0x2F1A3, stack, p.pid % 2, base + 0x31000, base + 0x32A60,
                   base + 0x1000000, stack + 0xE3D, stack + 0xE61, stack + 0xE61, stack + 0xFE5);
  }
}

void AppendStatm(const FakeProcess& p, std::string* out) {
  if (p.kind != ProcKind::kUser) {
    out->append("0 0 0 0 0 0 0\n");
    return;
  }
  fmt::format_to(std::back_inserter(*out), "{} {} {} {} 0 {} 0\n", p.size, p.rss, p.shared,
                 std::max<uint64_t>(1, p.size / 200), p.size / 3);
}

void AppendStatus(const FakeProcess& p, std::string* out) {
  auto it = std::back_inserter(*out);
  bool kernel = IsKernelThread(p);
  bool user = p.kind == ProcKind::kUser;
  std::string ns = p.nspid != 0 ? fmt::format("\t{}", p.nspid) : std::string();
  int session = user ? p.pid : 0;
  fmt::format_to(
      it,
      "Name:\t{}\nUmask:\t{}\nState:\t{} ({})\nTgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{}\n"
      "TracerPid:\t0\nUid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t{}\n"
      "Groups:\t \nNStgid:\t{}{}\nNSpid:\t{}{}\nNSpgid:\t{}{}\nNSsid:\t{}{}\n",
      p.comm, kernel ? "0000" : "0022", p.state, StateName(p.state), p.pid, p.pid, p.ppid, p.uid,
      p.uid, p.uid, p.uid, p.uid, p.uid, p.uid, p.uid, p.kind == ProcKind::kZombie ? 0 : 64, p.pid,
      ns, p.pid, ns, session, ns, session, ns);
  if (user) {  // Vm*/Rss* lines exist only for tasks with an mm
    constexpr uint64_t kb = kPageSize / 1024;
    uint64_t rss_kb = p.rss * kb;
    uint64_t shmem_kb = p.shared / 8 * kb;
    uint64_t file_kb = p.shared * kb - shmem_kb;
    uint64_t anon_kb = rss_kb > file_kb + shmem_kb ? rss_kb - file_kb - shmem_kb : 0;
    fmt::format_to(it,
                   "VmPeak:\t{:8} kB\nVmSize:\t{:8} kB\nVmLck:\t{:8} kB\nVmPin:\t{:8} kB\n"
                   "VmHWM:\t{:8} kB\nVmRSS:\t{:8} kB\nRssAnon:\t{:8} kB\nRssFile:\t{:8} kB\n"
                   "RssShmem:\t{:8} kB\nVmData:\t{:8} kB\nVmStk:\t{:8} kB\nVmExe:\t{:8} kB\n"
                   "VmLib:\t{:8} kB\nVmPTE:\t{:8} kB\nVmSwap:\t{:8} kB\nHugetlbPages:\t{:8} kB\n"
                   "CoreDumping:\t0\nTHP_enabled:\t1\n",
                   p.size * kb + 2048, p.size * kb, 0, 0, rss_kb + 512, rss_kb, anon_kb, file_kb,
                   shmem_kb, p.size / 3 * kb, 132, std::max<uint64_t>(1, p.size / 200) * kb, 8812,
                   104 + p.rss / 512, 0, 0);
  }
  fmt::format_to(
      it,
      "Threads:\t{}\nSigQ:\t0/63422\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
      "SigBlk:\t0000000000000000\nSigIgn:\t{}\nSigCgt:\t{}\nCapInh:\t0000000000000000\n"
      "CapPrm:\t{}\nCapEff:\t{}\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n"
      "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
      "Speculation_Store_Bypass:\tthread vulnerable\n"
      "SpeculationIndirectBranch:\tconditional enabled\nCpus_allowed:\tff\n"
      "Cpus_allowed_list:\t0-7\nMems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n"
      "voluntary_ctxt_switches:\t{}\nnonvoluntary_ctxt_switches:\t{}\n",
      p.threads, kernel ? "ffffffffffffffff" : "0000000000001000",
      user ? "00000001800044eb" : "0000000000000000",
      p.uid == 0 ? "000001ffffffffff" : "0000000000000000",
      p.uid == 0 ? "000001ffffffffff" : "0000000000000000", p.pid * 7 % 1000 + 3, p.pid % 19);
}

std::string ProcStatFile(int cpus, int processes) {
  std::string out = "cpu  1839201 2211 412034 59237103 21044 0 9921 0 0 0\n";
  for (int i = 0; i < cpus; ++i) {
    fmt::format_to(std::back_inserter(out), "cpu{} {} {} {} {} {} 0 {} 0 0 0\n", i, 459800 + i * 17,
                   552 + i, 103008 + i * 5, 14809275 + i * 31, 5261 + i, 2480 + i);
  }
  fmt::format_to(std::back_inserter(out),
                 "intr 409211865 9 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
                 "ctxt 721092211\nbtime {}\nprocesses {}\nprocs_running 2\nprocs_blocked 0\n"
                 "softirq 118820931 2 28107003 31 6271018 1102938 0 3011 51217013 0 32109915\n",
                 kBootTime, processes * 9);
  return out;
}

std::string MemInfoFile(uint64_t total_kb, uint64_t available_kb) {
  return fmt::format(
      "MemTotal:       {:>8} kB\nMemFree:        {:>8} kB\nMemAvailable:   {:>8} kB\n"
      "Buffers:          202340 kB\nCached:          2614280 kB\nSwapCached:            0 kB\n"
      "Active:          2103384 kB\nInactive:        1733284 kB\nActive(anon):    1401228 kB\n"
      "Inactive(anon):     8920 kB\nActive(file):     702156 kB\nInactive(file):  1724364 kB\n"
      "Unevictable:           0 kB\nMlocked:               0 kB\nSwapTotal:             0 kB\n"
      "SwapFree:              0 kB\nZswap:                 0 kB\nZswapped:              0 kB\n"
      "Dirty:               412 kB\nWriteback:             0 kB\nAnonPages:       1390140 kB\n"
      "Mapped:           411288 kB\nShmem:             19908 kB\nKReclaimable:     188212 kB\n"
      "Slab:             301148 kB\nSReclaimable:     188212 kB\nSUnreclaim:       112936 kB\n"
      "KernelStack:        9872 kB\nPageTables:        21940 kB\nSecPageTables:         0 kB\n"
      "NFS_Unstable:          0 kB\nBounce:                0 kB\nWritebackTmp:          0 kB\n"
      "CommitLimit:    {:>8} kB\nCommitted_AS:    4812232 kB\nVmallocTotal:   34359738367 kB\n"
      "VmallocUsed:       41232 kB\nVmallocChunk:          0 kB\nPercpu:             4928 kB\n"
      "HardwareCorrupted:     0 kB\nAnonHugePages:         0 kB\nShmemHugePages:        0 kB\n"
      "ShmemPmdMapped:        0 kB\nFileHugePages:         0 kB\nFilePmdMapped:         0 kB\n"
      "HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
      "HugePages_Surp:        0\nHugepagesize:       2048 kB\nHugetlb:               0 kB\n"
      "DirectMap4k:      268108 kB\nDirectMap2M:     8120320 kB\n",
      total_kb, available_kb / 2, available_kb, total_kb / 2);
}

std::string MountInfoFile() {
  return "25 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,discard,errors=remount-ro\n"
         "26 25 0:24 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
         "27 25 0:25 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n"
         "28 25 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev "
         "rw,size=4019884k,nr_inodes=1004971,mode=755,inode64\n"
         "31 25 0:27 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs "
         "rw,size=813948k,mode=755,inode64\n"
         "34 26 0:29 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
         "rw,nsdelegate,memory_recursiveprot\n"
         "35 26 0:30 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore "
         "rw\n"
         "36 26 0:31 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf bpf "
         "rw,mode=700\n"
         "612 25 0:55 / /var/lib/docker/rootfs/overlayfs/8c1e rw,relatime - overlay overlay "
         "rw,lowerdir=/var/lib/docker/overlay2/l/Q7:/var/lib/docker/overlay2/l/R2,"
         "upperdir=/var/lib/docker/overlay2/8c1e/diff,workdir=/var/lib/docker/overlay2/8c1e/work\n";
}

std::string V2MemoryStat(uint64_t anon, uint64_t file, uint64_t kernel, uint64_t shmem) {
  uint64_t slab = kernel / 3;
  return fmt::format(
      "anon {}\nfile {}\nkernel {}\nkernel_stack {}\npagetables {}\nsec_pagetables 0\n"
      "percpu 4320\nsock 0\nvmalloc 8192\nshmem {}\nzswap 0\nzswapped 0\nfile_mapped {}\n"
      "file_dirty 16384\nfile_writeback 0\nswapcached 0\nanon_thp 0\nfile_thp 0\nshmem_thp 0\n"
      "inactive_anon {}\nactive_anon {}\ninactive_file {}\nactive_file {}\nunevictable 0\n"
      "slab_reclaimable {}\nslab_unreclaimable {}\nslab {}\nworkingset_refault_anon 0\n"
      "workingset_refault_file 1093\nworkingset_activate_anon 0\nworkingset_activate_file 310\n"
      "workingset_restore_anon 0\nworkingset_restore_file 121\nworkingset_nodereclaim 0\n"
      "pgscan 30211\npgsteal 29870\npgscan_kswapd 28001\npgscan_direct 2210\n"
      "pgscan_khugepaged 0\npgsteal_kswapd 27790\npgsteal_direct 2080\npgsteal_khugepaged 0\n"
      "pgfault 1820331\npgmajfault 412\npgrefill 3011\npgactivate 90122\npgdeactivate 2988\n"
      "pglazyfree 0\npglazyfreed 0\nzswpin 0\nzswpout 0\nzswpwb 0\nthp_fault_alloc 0\n"
      "thp_collapse_alloc 0\nthp_swpout 0\nthp_swpout_fallback 0\n",
      anon, file, kernel, kernel / 8, kernel / 6, shmem, file / 5, shmem + anon / 9,
      anon - anon / 9, file / 2, file - file / 2, slab * 2 / 3, slab - slab * 2 / 3, slab);
}

std::string PressureFile(double some_avg10, double some_avg60, uint64_t total_us) {
  return fmt::format(
      "some avg10={:.2f} avg60={:.2f} avg300={:.2f} total={}\n"
      "full avg10={:.2f} avg60={:.2f} avg300={:.2f} total={}\n",
      some_avg10, some_avg60, some_avg60 / 3, total_us, some_avg10 / 2, some_avg60 / 2,
      some_avg60 / 6, total_us / 2);
}

std::string MemoryEventsFile(uint64_t max, uint64_t oom_kill) {
  return fmt::format("low 0\nhigh 0\nmax {}\noom {}\noom_kill {}\noom_group_kill 0\n", max,
                     oom_kill, oom_kill);
}

std::string DockerConfigJson(const DockerConfigFields& f) {
  std::string args;
  for (size_t i = 1; i < f.command.size(); ++i) {
    if (i > 1) args += ",";
    args += JsonString(f.command[i]);
  }
  return absl::StrReplaceAll(Compact(kDockerConfigTemplate),
                             {{"$PID", std::to_string(f.pid)},
                              {"$STARTED", f.started_at},
                              {"$ID", f.id},
                              {"$SHORT", f.id.substr(0, 12)},
                              {"$PATH", JsonString(f.command.empty() ? "" : f.command[0])},
                              {"$ARGS", args},
                              {"$NAME", f.name},
                              {"$IMAGEID", HexId(f.image)},
                              {"$IMAGE", f.image},
                              {"$HASH", HexId(f.name + "/config")},
                              {"$SANDBOX", HexId(f.id + "/sandbox")},
                              {"$NETNS", HexId(f.id + "/netns", 12)},
                              {"$NETWORK", HexId("ops_default")},
                              {"$ENDPOINT", HexId(f.id + "/endpoint")},
                              {"$RESTARTS", std::to_string(f.restart_count)}});
}

std::string DockerHostConfigJson(std::optional<uint64_t> memory_bytes,
                                 std::string_view restart_policy) {
  return fmt::format(
      R"({{"Binds":["/srv/ops/data:/app/data"],"ContainerIDFile":"","LogConfig":{{"Type":"json-file","Config":{{"max-size":"10m"}}}},)"
      R"("NetworkMode":"ops_default","PortBindings":{{}},"RestartPolicy":{{"Name":"{}","MaximumRetryCount":0}},)"
      R"("AutoRemove":false,"CgroupnsMode":"private","Memory":{},"MemoryReservation":0,"MemorySwap":0,)"
      R"("NanoCpus":0,"PidsLimit":null,"OomKillDisable":false}})",
      restart_policy, memory_bytes.value_or(0));
}

std::string HexId(std::string_view label, size_t length) {
  // FNV-1a of the label seeds a splitmix64 stream: stable, well spread, no crypto needed.
  uint64_t state = 14695981039346656037ull;
  for (unsigned char c : label) state = (state ^ c) * 1099511628211ull;
  std::string out;
  while (out.size() < length) {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    out += fmt::format("{:016x}", z ^ (z >> 31));
  }
  out.resize(length);
  return out;
}

}  // namespace procleak::bench
