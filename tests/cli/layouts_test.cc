// SPDX-License-Identifier: Apache-2.0
// `procleak scan --json` on one fixture tree per container runtime layout (tests/data/README.md):
// which cgroups become containers, their names, the container cgroup's own memory and pids
// (also when the processes sit in sub-cgroups), the findings and the exit status.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, Field, FindBy, ...

struct ContainerWant {
  std::string name;
  std::string runtime;
  std::string id_prefix;
  size_t processes;
  uint64_t memory_bytes;
  std::optional<uint64_t> memory_limit_bytes;
  std::optional<uint64_t> pids_current;
};

struct LayoutWant {
  std::string tree;
  int exit_code;  // with the default --fail-on warning
  std::vector<ContainerWant> containers;
  std::vector<std::string> findings_at_warning_or_above;  // "severity kind container-name"
};

class Layout : public ::testing::TestWithParam<LayoutWant> {};

TEST_P(Layout, ContainersFindingsAndExitStatus) {
  const LayoutWant& want = GetParam();
  RunResult run = RunProcleak({"scan", "--root", DataDir(want.tree), "--json"});
  EXPECT_EQ(run.exit_code, want.exit_code) << run.err;
  EXPECT_EQ(run.err, "");
  Json doc = ParseJson(run.out);
  const Json& containers = Field(doc, "containers");
  for (const ContainerWant& c : want.containers) {
    SCOPED_TRACE(c.name);
    const Json* got = FindBy(containers, "name", c.name);
    ASSERT_NE(got, nullptr) << containers.dump().substr(0, 2000);
    EXPECT_EQ((*got)["runtime"], c.runtime);
    EXPECT_EQ((*got)["id"].get<std::string>().rfind(c.id_prefix, 0), 0u) << (*got)["id"];
    EXPECT_EQ((*got)["processes"], c.processes);
    ExpectCount(*got, "memory_bytes", c.memory_bytes, c.name);
    ExpectCount(*got, "memory_limit_bytes", c.memory_limit_bytes, c.name);
    ExpectCount(*got, "pids_current", c.pids_current, c.name);
  }
  std::vector<std::string> serious;
  for (const Json& f : Field(doc, "findings")) {
    if (f["severity"] == "info") continue;
    const Json* c = FindBy(containers, "id", f["container"]);
    serious.push_back(f["severity"].get<std::string>() + " " + f["kind"].get<std::string>() + " " +
                      (c != nullptr ? (*c)["name"].get<std::string>() : "?"));
  }
  EXPECT_EQ(serious, want.findings_at_warning_or_above);
}

INSTANTIATE_TEST_SUITE_P(
    Runtimes, Layout,
    ::testing::Values(
        // Kubernetes names from /var/log/containers; a container at 99% of its limit with OOM
        // kills; pause containers are containers too.
        LayoutWant{"k8s-containerd",
                   1,
                   {{"shop/frontend-7c9d8f6b5-x2kqp/frontend", "containerd", "1265336ae459", 2,
                     194772992, 1073741824, 18},
                    {"batch/report-builder-28815840-qq7wl/builder", "containerd", "e435585b1bf7", 2,
                     532676608, 536870912, 6}},
                   {"critical near_memory_limit batch/report-builder-28815840-qq7wl/builder",
                    "warning oom_kills batch/report-builder-28815840-qq7wl/builder"}},
        // conmon's crio-conmon-<id>.scope is not a container.
        LayoutWant{"crio",
                   0,
                   {{"monitoring/node-agent-h7x2k/agent", "cri-o", "677b89e01272", 2, 23068672,
                     std::nullopt, 9}},
                   {}},
        // Name from the container's /etc/hostname; libpod-conmon is not a container.
        LayoutWant{
            "podman", 0, {{"pg-dev", "podman", "aede9f172f53", 3, 63963136, 1073741824, 9}}, {}},
        // Processes in sub-cgroups of lxc.payload.web01: pids come from the container cgroup.
        LayoutWant{"lxc", 0, {{"web01", "lxc", "web01", 4, 157286400, 2147483648, 23}}, {}},
        // machine-my\x2dbox.scope decodes to my-box; its processes sit in payload/.
        LayoutWant{
            "nspawn", 0, {{"my-box", "nspawn", "my-box", 2, 48234496, std::nullopt, 11}}, {}},
        // Docker's state files: a restart-looping container with no process at all.
        LayoutWant{"docker-systemd",
                   1,
                   {{"web", "docker", "a0d9d4cf6dc5", 3, 25165824, 536870912, 3}},
                   {"critical restart_loop worker"}}),
    [](const ::testing::TestParamInfo<LayoutWant>& info) {
      std::string name = info.param.tree;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace procleak
