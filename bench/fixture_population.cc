// SPDX-License-Identifier: Apache-2.0
// Populate: the generated host's programs, their parents, cgroups and start times.
#include "fixture_population.h"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <utility>

#include "absl/time/time.h"
#include "fmt/format.h"

namespace procleak::bench {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;

// What a program looks like in memory: resident and virtual size, threads, owner.
struct Program {
  std::string_view comm;
  std::string_view exe;
  uint64_t rss_bytes;
  uint64_t vsize_bytes;
  int threads = 1;
  uint32_t uid = 0;
};

struct Package {
  std::string_view name;    // as given to npx
  std::string_view binary;  // its node_modules/.bin entry
};
constexpr Package kPackages[] = {
    {"@modelcontextprotocol/server-filesystem", "mcp-server-filesystem"},
    {"@modelcontextprotocol/server-github", "mcp-server-github"},
    {"@modelcontextprotocol/server-memory", "mcp-server-memory"},
    {"@playwright/mcp@latest", "mcp-server-playwright"},
    {"@upstash/context7-mcp@1.0.14", "context7-mcp"},
    {"mcp-remote@0.1.29", "mcp-remote"},
    {"@modelcontextprotocol/server-sequential-thinking", "mcp-server-sequential-thinking"},
    {"tavily-mcp@0.2.1", "tavily-mcp"},
    {"@notionhq/notion-mcp-server", "notion-mcp-server"},
};

class Host {
 public:
  int AddCgroup(std::string path, std::optional<uint64_t> memory_max = std::nullopt,
                std::optional<uint64_t> pids_max = std::nullopt) {
    host_.cgroups.push_back(
        {.path = std::move(path), .memory_max = memory_max, .pids_max = pids_max});
    return static_cast<int>(host_.cgroups.size()) - 1;
  }

  // Adds `p` to cgroup `cg` with the next pid and, unless p.start is set, the next start time.
  int Add(FakeProcess p, int cg) {
    p.pid = next_pid_++;
    if (p.kind == ProcKind::kUser && host_.processes.size() % 7 == 6) next_pid_ += 3;  // exited
    if (p.start == 0) p.start = clock_ += 47;
    clock_ = std::max(clock_, p.start);
    p.cgroup = cg;
    CgroupSpec& group = host_.cgroups[static_cast<size_t>(cg)];
    if (group.container) p.nspid = group.next_nspid++;
    if (p.shared == 0) p.shared = p.rss / 3;
    group.pids.push_back(p.pid);
    group.rss_pages += p.rss;
    group.tasks += static_cast<uint64_t>(p.threads);
    host_.processes.push_back(std::move(p));
    return host_.processes.back().pid;
  }

  int Run(const Program& program, int ppid, std::string cmdline, int cg) {
    FakeProcess p;
    p.ppid = ppid;
    p.comm = program.comm;
    p.cmdline = std::move(cmdline);
    p.exe = program.exe;
    p.uid = program.uid;
    p.threads = program.threads;
    p.size = program.vsize_bytes / kPageSize;
    p.rss = program.rss_bytes / kPageSize;
    return Add(std::move(p), cg);
  }

  // A Docker container (systemd driver): its shim in containerd.service, its scope, and its
  // state files. Returns the scope's cgroup; the caller adds the init with InitOf().
  int AddContainer(std::string_view name, std::string_view image, std::vector<std::string> command,
                   std::optional<uint64_t> memory_max, int shim_cgroup) {
    std::string id = HexId(fmt::format("bench/{}", name));
    int cg = AddCgroup(fmt::format("/system.slice/docker-{}.scope", id), memory_max, 4096);
    host_.cgroups.back().container = true;
    int shim =
        Run({"containerd-shim", "/usr/bin/containerd-shim-runc-v2", 13 * kMiB, 1236 * kMiB, 12}, 1,
            Argv({"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", id, "-address",
                  "/run/containerd/containerd.sock"}),
            shim_cgroup);
    host_.containers.push_back({.config = {.id = id,
                                           .name = std::string(name),
                                           .image = std::string(image),
                                           .command = std::move(command),
                                           .pid = 0,
                                           .started_at = "",
                                           .restart_count = 0},
                                .configured_memory = memory_max,
                                .restart_policy = "unless-stopped"});
    last_shim_ = shim;
    return cg;
  }

  // Starts the init of the container added last, as a child of its shim.
  int InitOf(const Program& program, std::string cmdline, int cg) {
    int pid = Run(program, last_shim_, std::move(cmdline), cg);
    DockerConfigFields& config = host_.containers.back().config;
    config.pid = pid;
    absl::Time started =
        absl::FromUnixSeconds(kBootTime) + absl::Milliseconds(host_.processes.back().start * 10);
    config.started_at = absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", started, absl::UTCTimeZone());
    return pid;
  }

  CgroupSpec& cgroup(int cg) { return host_.cgroups[static_cast<size_t>(cg)]; }
  DockerContainer& last_container() { return host_.containers.back(); }
  uint64_t& clock() { return clock_; }
  size_t size() const { return host_.processes.size(); }
  GeneratedHost Take() { return std::move(host_); }

 private:
  GeneratedHost host_;
  int next_pid_ = 1;
  int last_shim_ = 0;
  uint64_t clock_ = 100;  // ticks after boot
};

FakeProcess KernelThread(int i) {
  int cpu = i % 8;
  FakeProcess p;
  p.ppid = 2;
  p.kind = ProcKind::kKernelThread;
  switch (i % 6) {
    case 0:
      p.comm = fmt::format("ksoftirqd/{}", cpu);
      break;
    case 1:
      p.comm = fmt::format("migration/{}", cpu);
      break;
    case 2:
      p.comm = fmt::format("cpuhp/{}", cpu);
      break;
    case 3:
      p.comm = fmt::format("kworker/{}:{}H-kblockd", cpu, i / 6 % 4);
      break;
    case 4:
      p.comm = fmt::format("kworker/u16:{}-events_unbound", i / 6);
      break;
    default:
      p.comm = fmt::format("kworker/{}:{}-events", cpu, i / 6);
      break;
  }
  if (p.comm.starts_with("kworker/")) {
    p.kind = ProcKind::kWorkqueueWorker;
    p.state = 'I';
    p.comm.resize(std::min<size_t>(p.comm.size(), 15));
  }
  return p;
}

// The same mix at every size; see GenerateTree's comment.
void PopulateInto(int n, Host* h) {
  int root = h->AddCgroup("/");
  int init_scope = h->AddCgroup("/init.scope");
  auto service = [h](std::string_view name) {
    return h->AddCgroup(fmt::format("/system.slice/{}.service", name), std::nullopt, 9830);
  };
  int systemd = h->Run({"systemd", "/usr/lib/systemd/systemd", 13 * kMiB, 22 * kMiB}, 0,
                       Argv({"/sbin/init", "splash"}), init_scope);
  h->Add({.ppid = 0, .comm = "kthreadd", .kind = ProcKind::kKernelThread}, root);
  int kernel_threads = n * 6 / 100;
  for (int i = 0; i < kernel_threads; ++i) h->Add(KernelThread(i), root);

  h->Run({"systemd-journal", "/usr/lib/systemd/systemd-journald", 24 * kMiB, 58 * kMiB}, systemd,
         Argv({"/usr/lib/systemd/systemd-journald"}), service("systemd-journald"));
  h->Run({"systemd-udevd", "/usr/lib/systemd/systemd-udevd", 7 * kMiB, 26 * kMiB}, systemd,
         Argv({"/usr/lib/systemd/systemd-udevd"}), service("systemd-udevd"));
  h->Run({"dbus-daemon", "/usr/bin/dbus-daemon", 5 * kMiB, 9 * kMiB, 1, 102}, systemd,
         Argv({"@dbus-daemon", "--system", "--address=systemd:", "--nofork", "--nopidfile",
               "--systemd-activation", "--syslog-only"}),
         service("dbus"));
  h->Run({"cron", "/usr/sbin/cron", 2 * kMiB, 7 * kMiB}, systemd,
         Argv({"/usr/sbin/cron", "-f", "-P"}), service("cron"));
  int sshd =
      h->Run({"sshd", "/usr/sbin/sshd", 9 * kMiB, 15 * kMiB}, systemd,
             Title("sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", 1), service("ssh"));
  h->Run({"systemd-logind", "/usr/lib/systemd/systemd-logind", 8 * kMiB, 18 * kMiB}, systemd,
         Argv({"/usr/lib/systemd/systemd-logind"}), service("systemd-logind"));
  h->Run({"rsyslogd", "/usr/sbin/rsyslogd", 6 * kMiB, 217 * kMiB, 4, 104}, systemd,
         Argv({"/usr/sbin/rsyslogd", "-n", "-iNONE"}), service("rsyslog"));
  h->Run({"systemd-resolve", "/usr/lib/systemd/systemd-resolved", 13 * kMiB, 21 * kMiB, 1, 991},
         systemd, Argv({"/usr/lib/systemd/systemd-resolved"}), service("systemd-resolved"));
  int containerd_cg = service("containerd");
  h->Run({"containerd", "/usr/bin/containerd", 48 * kMiB, 1900 * kMiB, 14}, systemd,
         Argv({"/usr/bin/containerd"}), containerd_cg);
  h->Run({"dockerd", "/usr/bin/dockerd", 92 * kMiB, 2400 * kMiB, 20}, systemd,
         Argv({"/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"}),
         service("docker"));
  int fpm_cg = service("php8.2-fpm");
  int fpm = h->Run({"php-fpm8.2", "/usr/sbin/php-fpm8.2", 19 * kMiB, 201 * kMiB}, systemd,
                   Title("php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)", 1), fpm_cg);

  const std::string user = "/user.slice/user-1000.slice";
  int user_init = h->AddCgroup(user + "/user@1000.service/init.scope");
  int user_systemd = h->Run({"systemd", "/usr/lib/systemd/systemd", 10 * kMiB, 20 * kMiB, 1, 1000},
                            systemd, Argv({"/usr/lib/systemd/systemd", "--user"}), user_init);
  h->Run({"(sd-pam)", "/usr/lib/systemd/systemd", 5 * kMiB, 168 * kMiB, 1, 1000}, user_systemd,
         Argv({"(sd-pam)"}), user_init);
  int session = h->AddCgroup(user + "/session-3.scope");
  int priv = h->Run({"sshd", "/usr/sbin/sshd", 11 * kMiB, 17 * kMiB}, sshd,
                    Title("sshd: dev [priv]", 1), session);
  int pts = h->Run({"sshd", "/usr/sbin/sshd", 7 * kMiB, 17 * kMiB, 1, 1000}, priv,
                   Title("sshd: dev@pts/0", 1), session);
  const Program bash{"bash", "/usr/bin/bash", 5 * kMiB, 9 * kMiB, 1, 1000};
  int login = h->Run(bash, pts, Argv({"-bash"}), session);
  int jobs_cg = h->AddCgroup(user + "/user@1000.service/app.slice/jobs.service", 8 * kGiB);
  int jobs =
      h->Run({"python3", "/usr/bin/python3.12", 38 * kMiB, 412 * kMiB, 3, 1000}, user_systemd,
             Argv({"python3", "/opt/jobs/master.py", "--workers=auto"}), jobs_cg);

  int hub = h->AddContainer("mcp-hub", "ghcr.io/example/mcp-hub:2.3.1",
                            {"/usr/bin/tini", "--", "node", "/app/gateway.js"}, std::nullopt,
                            containerd_cg);
  h->cgroup(hub).pids_max.reset();
  int tini = h->InitOf({"tini", "/usr/bin/tini", 1 * kMiB, 2 * kMiB},
                       Argv({"/usr/bin/tini", "--", "node", "/app/gateway.js"}), hub);
  int gateway = h->Run({"node", "/usr/local/bin/node", 96 * kMiB, 1100 * kMiB, 11}, tini,
                       Argv({"node", "/app/gateway.js"}), hub);
  int web = h->AddContainer("web", "nginx:1.27-alpine",
                            {"/docker-entrypoint.sh", "nginx", "-g", "daemon off;"}, 512 * kMiB,
                            containerd_cg);
  int nginx = h->InitOf({"nginx", "/usr/sbin/nginx", 6 * kMiB, 11 * kMiB},
                        Title("nginx: master process nginx -g daemon off;", 1), web);
  int db = h->AddContainer("db", "postgres:16.4", {"docker-entrypoint.sh", "postgres"}, 2 * kGiB,
                           containerd_cg);
  const Program postgres{
      "postgres", "/usr/lib/postgresql/16/bin/postgres", 30 * kMiB, 215 * kMiB, 1, 999};
  int pg = h->InitOf(postgres, Argv({"postgres"}), db);
  for (std::string_view title : {"checkpointer", "background writer", "walwriter",
                                 "autovacuum launcher", "logical replication launcher"}) {
    h->Run(postgres, pg, Title(fmt::format("postgres: {} ", title), 1), db);
  }
  int worker = h->AddContainer("worker", "registry.example.com/jobs/celery:5.4",
                               {"celery", "-A", "tasks", "worker", "--loglevel=INFO"}, 1 * kGiB,
                               containerd_cg);
  h->cgroup(worker).oom_kills = 3;
  h->cgroup(worker).pressure_avg60 = 14.2;
  h->last_container().config.restart_count = 7;
  const Program celery{"celery", "/usr/local/bin/python3.12", 61 * kMiB, 290 * kMiB, 3, 1000};
  const std::string celery_argv = Argv({"/usr/local/bin/python3", "/usr/local/bin/celery", "-A",
                                        "tasks", "worker", "--loglevel=INFO"});
  int celery_master = h->InitOf(celery, celery_argv, worker);

  // The bulk, as shares of what is left; the login session takes the rest.
  int rest = n - static_cast<int>(h->size());
  int chains = rest * 30 / 100 / 3;
  int fpm_workers = rest * 10 / 100;
  int job_workers = rest * 8 / 100;
  int nginx_workers = rest * 7 / 100;
  int backends = rest * 8 / 100;
  int celery_workers = rest * 7 / 100;
  int sleeps =
      rest - 3 * chains - fpm_workers - job_workers - nginx_workers - backends - celery_workers;

  for (int i = 0; i < fpm_workers; ++i) {
    h->Run({"php-fpm8.2", "/usr/sbin/php-fpm8.2", 24 * kMiB, 205 * kMiB, 1, 33}, fpm,
           Title("php-fpm: pool www", 38), fpm_cg);
  }
  for (int i = 0; i < job_workers; ++i) {
    h->Run({"python3", "/usr/bin/python3.12", 52 * kMiB, 330 * kMiB, 2, 1000}, jobs,
           Argv({"python3", "/opt/jobs/worker.py", "--queue", i % 2 ? "default" : "reports"}),
           jobs_cg);
  }
  for (int i = 0; i < nginx_workers; ++i) {
    h->Run({"nginx", "/usr/sbin/nginx", 4 * kMiB, 12 * kMiB, 1, 101}, nginx,
           Title("nginx: worker process", 22), web);
  }
  for (int i = 0; i < backends; ++i) {
    h->Run(postgres, pg,
           Title(fmt::format("postgres: app appdb 172.18.0.{}({}) idle", 6 + i % 4, 41000 + i), 1),
           db);
  }
  for (int i = 0; i < celery_workers; ++i) h->Run(celery, celery_master, celery_argv, worker);

  // mcp-hub's gateway starts each server through npx and never stops the old copy; the first
  // half of the chains lost their gateway (it restarted) and were adopted by tini.
  for (int k = 0; k < chains; ++k) {
    const Package& pkg = kPackages[k % std::size(kPackages)];
    uint64_t start = h->clock() + 6000;
    std::string title = fmt::format("npm exec {}", pkg.name);
    FakeProcess npm;
    npm.ppid = k < chains / 2 ? tini : gateway;
    npm.comm = title.substr(0, 15);
    npm.cmdline = k % 6 == 0 ? Argv({"npm", "exec", "--yes", "--", pkg.name}) : Title(title, 1);
    npm.exe = "/usr/local/bin/node";
    npm.start = start;
    npm.threads = 11;
    npm.size = 1050 * kMiB / kPageSize;
    npm.rss = (75 + k * 7 % 6) * kMiB / kPageSize;
    int npm_pid = h->Add(npm, hub);
    FakeProcess sh{.ppid = npm_pid,
                   .comm = "sh",
                   .cmdline = Argv({"sh", "-c", pkg.binary}),
                   .exe = "/usr/bin/dash",
                   .start = start + 31,
                   .size = 2500 * kKiB / kPageSize,
                   .rss = 1008 * kKiB / kPageSize};
    int sh_pid = h->Add(sh, hub);
    FakeProcess node{.ppid = sh_pid,
                     .comm = "node",
                     .cmdline = Argv({"node", fmt::format("/root/.npm/_npx/{}/node_modules/.bin/{}",
                                                          HexId(pkg.name, 16), pkg.binary)}),
                     .exe = "/usr/local/bin/node",
                     .start = start + 33,
                     .threads = 7,
                     .size = 990 * kMiB / kPageSize,
                     .rss = (40 + k * 11 % 26) * kMiB / kPageSize};
    h->Add(node, hub);
  }

  // Interactive shells, each with a batch of `sleep`s; one in 97 has exited and not been reaped.
  int shell = login;
  for (int i = 0; i < sleeps; ++i) {
    if (i % 64 == 0) {
      shell = h->Run(bash, login, Argv({"bash"}), session);
      continue;
    }
    if (i % 97 == 0) {
      h->Add({.ppid = shell, .comm = "sleep", .kind = ProcKind::kZombie, .state = 'Z', .uid = 1000},
             session);
      continue;
    }
    h->Run({"sleep", "/usr/bin/sleep", 1 * kMiB, 8 * kMiB, 1, 1000}, shell, Argv({"sleep", "3600"}),
           session);
  }
}

}  // namespace

GeneratedHost Populate(int processes) {
  Host h;
  PopulateInto(processes, &h);
  return h.Take();
}

}  // namespace procleak::bench
