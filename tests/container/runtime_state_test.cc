// SPDX-License-Identifier: Apache-2.0
// Issue 17: a container is verified by its runtime's own state on the host, never by its cgroup
// path alone: RuntimeStatePaths/RuntimeStateExists, and ReadContainers on trees that have that
// state and on ones that only name a cgroup like a runtime would.
#include "container/runtime_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "container/container_reader.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::TempTree;

constexpr char kId[] = "3f1a9c2e7b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a";
const std::string kTask = "/run/containerd/io.containerd.runtime.v2.task/";

TEST(RuntimeStatePaths, Docker_IsContainerdsMobyTask) {
  EXPECT_THAT(RuntimeStatePaths("docker", kId, "/docker/x"), ElementsAre(kTask + "moby/" + kId));
}

TEST(RuntimeStatePaths, Containerd_TasksInTheCriDefaultAndMobyNamespaces) {
  EXPECT_THAT(
      RuntimeStatePaths("containerd", kId, ""),
      ElementsAre(kTask + "k8s.io/" + kId, kTask + "default/" + kId, kTask + "moby/" + kId));
}

TEST(RuntimeStatePaths, RootlessPodman_UsesTheUserOfItsCgroup) {
  const std::string cgroup =
      "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-x.scope";
  EXPECT_THAT(RuntimeStatePaths("podman", kId, cgroup),
              ElementsAre(std::string("/run/containers/storage/overlay-containers/") + kId,
                          std::string("/var/lib/containers/storage/overlay-containers/") + kId,
                          std::string("/run/user/1000/containers/overlay-containers/") + kId));
  // Rootful (no user manager), or a user that is not a number: no per-user row.
  EXPECT_EQ(RuntimeStatePaths("podman", kId, "/machine.slice/libpod-x.scope").size(), 2u);
  EXPECT_EQ(RuntimeStatePaths("podman", kId, "/user@x.service/libpod-x.scope").size(), 2u);
  EXPECT_EQ(RuntimeStatePaths("podman", kId, "/user@.service/libpod-x.scope").size(), 2u);
}

TEST(RuntimeStatePaths, LxcAndNspawn_ByName) {
  EXPECT_THAT(RuntimeStatePaths("lxc", "web01", ""),
              ElementsAre("/var/lib/lxc/web01/config", "/var/snap/lxd/common/lxd/containers/web01",
                          "/var/lib/lxd/containers/web01", "/var/lib/incus/containers/web01"));
  EXPECT_THAT(RuntimeStatePaths("nspawn", "my-box", ""),
              ElementsAre("/run/systemd/machines/my-box"));
}

TEST(RuntimeStatePaths, IdThatIsNotOnePathSegment_HasNone) {
  // A machine scope's name is unescaped ("\x2f" is '/'): it must not reach outside the directory.
  for (const std::string& id :
       std::vector<std::string>{"../../etc", "a/b", "..", ".", "", std::string("x\0y", 3)}) {
    EXPECT_THAT(RuntimeStatePaths("nspawn", id, ""), IsEmpty()) << id;
    EXPECT_THAT(RuntimeStatePaths("lxc", id, ""), IsEmpty()) << id;
  }
  EXPECT_THAT(RuntimeStatePaths("", kId, ""), IsEmpty());
  EXPECT_THAT(RuntimeStatePaths("rkt", kId, ""), IsEmpty());
}

TEST(RuntimeStateExists, LooksUnderTheRootAndNotOutsideIt) {
  TempTree tree;
  tree.Write("run/systemd/machines/my-box", "NAME=my-box\n");
  tree.Write("run/systemd/machines/other", "NAME=other\n");
  SkipCounter skips;
  EXPECT_TRUE(RuntimeStateExists(tree.root(), "nspawn", "my-box", "", &skips));
  EXPECT_FALSE(RuntimeStateExists(tree.root(), "nspawn", "gone", "", &skips));
  EXPECT_FALSE(RuntimeStateExists(tree.root(), "lxc", "my-box", "", &skips));
  // "machines/../machines/other" would exist, but is no machine name.
  EXPECT_FALSE(RuntimeStateExists(tree.root(), "nspawn", "../machines/other", "", &skips));
  EXPECT_EQ(skips.denied, 0);
}

Process InCgroup(int pid, int ppid, const std::string& path) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = 'S';
  p.starttime_ticks = static_cast<uint64_t>(pid);
  p.cgroup_lines = {{0, "", path}};
  return p;
}

const Container* Find(const std::vector<Container>& containers, const std::string& id) {
  for (const Container& c : containers) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// A user's delegated cgroup named like Docker's cgroupfs driver, and a process in it whose root
// is the host's: its /etc/hostname is the host's own.
struct SpoofTree {
  TempTree tree;
  std::vector<Process> processes = {
      InCgroup(1, 0, "/init.scope"),
      InCgroup(3100, 1, std::string("/user.slice/user-1000.slice/user@1000.service/docker/") + kId),
  };
  SpoofTree() { tree.Write("proc/3100/root/etc/hostname", "build-07\n"); }
  std::vector<Container> Read() {
    ContainerReadOptions options;
    options.root = tree.root();
    absl::StatusOr<std::vector<Container>> containers = ReadContainers(options, processes, nullptr);
    EXPECT_TRUE(containers.ok()) << containers.status();
    return containers.ok() ? *containers : std::vector<Container>();
  }
};

// What a tree holds besides the cgroup named like Docker's, and what the container then is.
struct StateCase {
  std::string what;
  std::string file;  // "" for nothing
  std::string content;
  bool verified;
  std::string name;
};

TEST(ReadContainers, CgroupNamedLikeDocker_IsVerifiedOnlyByARuntimesState) {
  const std::string docker = std::string("var/lib/docker/containers/") + kId;
  const StateCase cases[] = {
      // Not the host's hostname, which the process sees as its own /etc/hostname.
      {"nothing", "", "", false, ""},
      {"Docker's directory without its config", docker + "/hostname", "x\n", false, ""},
      {"Docker's config", docker + "/config.v2.json",
       std::string(R"({"ID":")") + kId + R"(","Name":"/web","State":{"Pid":3100}})", true, "web"},
      // Verified, it is named from inside as any container is.
      {"containerd's task", kTask.substr(1) + "moby/" + kId + "/config.json", "{}\n", true,
       "build-07"},
  };
  for (const StateCase& c : cases) {
    SCOPED_TRACE(c.what);
    SpoofTree spoof;
    if (!c.file.empty()) spoof.tree.Write(c.file, c.content);
    std::vector<Container> containers = spoof.Read();
    ASSERT_EQ(containers.size(), 1u);
    EXPECT_EQ(containers[0].runtime, "docker");
    EXPECT_EQ(containers[0].verified, c.verified);
    EXPECT_EQ(containers[0].name, c.name);
    EXPECT_EQ(containers[0].init_pid, 3100);
  }
}

TEST(ReadContainers, KubeletLogLink_Verifies) {
  SpoofTree spoof;
  spoof.processes.push_back(
      InCgroup(4000, 1,
               std::string("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-"
                           "pod1_2.slice/cri-containerd-") +
                   std::string(kId).replace(0, 1, "4") + ".scope"));
  const std::string k8s_id = std::string(kId).replace(0, 1, "4");
  spoof.tree.Write("var/log/containers/api-0_shop_api-" + k8s_id + ".log", "");
  std::vector<Container> containers = spoof.Read();
  ASSERT_EQ(containers.size(), 2u);
  const Container* k8s = Find(containers, k8s_id);
  ASSERT_NE(k8s, nullptr);
  EXPECT_TRUE(k8s->verified);
  EXPECT_EQ(k8s->name, "shop/api-0/api");
  EXPECT_FALSE(Find(containers, kId)->verified);
}

TEST(ReadContainers, MachineNameEscapingOutOfItsDirectory_IsUnverified) {
  SpoofTree spoof;
  // machine-..\x2f..\x2fetc.scope decodes to "../../etc", which exists below run/systemd.
  spoof.processes.push_back(InCgroup(5000, 1, "/machine.slice/machine-..\\x2f..\\x2fetc.scope"));
  spoof.tree.Write("etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  spoof.tree.MakeDir("run/systemd/machines");
  std::vector<Container> containers = spoof.Read();
  const Container* machine = Find(containers, "../../etc");
  ASSERT_NE(machine, nullptr);
  EXPECT_EQ(machine->runtime, "nspawn");
  EXPECT_FALSE(machine->verified);
}

}  // namespace
}  // namespace procleak
