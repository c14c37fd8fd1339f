// SPDX-License-Identifier: Apache-2.0
// MatchContainerCgroup on every runtime layout, with cgroup paths taken from real hosts and
// issue reports (see the reference's section 2), and on the paths that must not match.
#include "container/container_paths.h"

#include <gtest/gtest.h>

#include <string>

namespace procleak {
namespace {

// Real ids from the reference's examples.
constexpr char kDockerV1[] = "2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d";
constexpr char kDockerScope[] = "0bd31f558c426d46f30778cefbc727282e4f257537b42b361ea5d03a44f4febe";
constexpr char kCriContainerd[] =
    "2032491dcae31e6746f47daa0ac74564f2843a1bd847c5e6c4eb501ca132ac36";
constexpr char kCgroupfsPod[] = "d28e0087cf8f3f0429f755d60b0de415b20fcf76736ded7bab6e30e7b739ee36";
constexpr char kColon[] = "ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459";
constexpr char kCrio[] = "5eed917563583925ffdbd40a64efb2aaffe58638e57add8becaf460fe74f5b1c";
constexpr char kPodman[] = "cf21d19260ace8544fe8b769fc2638bf2c0873dfbfff0b6253f0569b26a1d5eb";
constexpr char kPodmanV1[] = "2521e906f0a0c758c3a7dc4fd68c197e32e96abb4b36807d0b0ede6d014a7c24";
constexpr char kOuter[] = "d3d81786f3e154c7c9d379bcc3d4bdb1c55a5ee824195be91b8a40e55fdebe3a";

std::string S(const char* a) { return a; }

struct Want {
  std::string runtime, id, cgroup, pod_uid;
};

void ExpectMatch(const std::string& path, const Want& want) {
  std::optional<ContainerRef> ref = MatchContainerCgroup(path);
  ASSERT_TRUE(ref.has_value()) << path;
  EXPECT_EQ(ref->runtime, want.runtime) << path;
  EXPECT_EQ(ref->id, want.id) << path;
  EXPECT_EQ(ref->cgroup, want.cgroup) << path;
  EXPECT_EQ(ref->pod_uid, want.pod_uid) << path;
}

void ExpectNoMatch(const std::string& path) {
  std::optional<ContainerRef> ref = MatchContainerCgroup(path);
  EXPECT_FALSE(ref.has_value()) << path << " matched " << ref->runtime << " " << ref->id;
}

TEST(ContainerPaths, Docker_CgroupfsDriver) {
  ExpectMatch("/docker/" + S(kDockerV1), {"docker", kDockerV1, "/docker/" + S(kDockerV1), ""});
}

TEST(ContainerPaths, Docker_SystemdScope_CutsSubCgroups) {
  std::string scope = "/system.slice/docker-" + S(kDockerScope) + ".scope";
  ExpectMatch(scope, {"docker", kDockerScope, scope, ""});
  // systemd running inside the container makes sub-cgroups below the scope.
  ExpectMatch(scope + "/init.scope", {"docker", kDockerScope, scope, ""});
}

TEST(ContainerPaths, Docker_RootlessAndCustomParentScopes) {
  std::string rootless = "/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" +
                         S(kDockerScope) + ".scope";
  ExpectMatch(rootless, {"docker", kDockerScope, rootless, ""});
  std::string custom = "/my-example-cgroup.slice/docker-" + S(kDockerScope) + ".scope";
  ExpectMatch(custom, {"docker", kDockerScope, custom, ""});
}

TEST(ContainerPaths, Docker_EcsTaskOnCgroupV1) {
  std::string path = "/ecs/5a1f0c9e8b7d4c3e9f2a1b0c8d7e6f5a/" + S(kDockerV1);
  ExpectMatch(path, {"docker", kDockerV1, path, ""});
}

TEST(ContainerPaths, Containerd_SystemdDriverScope_PodUidWithDashes) {
  std::string pod =
      "/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-pod55c6c714_b240_4dec_9a45_57b61696ab6e.slice";
  std::string path = pod + "/cri-containerd-" + S(kCriContainerd) + ".scope";
  ExpectMatch(path, {"containerd", kCriContainerd, path, "55c6c714-b240-4dec-9a45-57b61696ab6e"});
}

TEST(ContainerPaths, Containerd_KindNodeUnderKubeletSlice) {
  std::string path =
      "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
      "kubelet-kubepods-besteffort-pod1e597579_417e_482f_bf65_5fe170c3aebd.slice/cri-containerd-" +
      S(kCriContainerd) + ".scope";
  ExpectMatch(path, {"containerd", kCriContainerd, path, "1e597579-417e-482f-bf65-5fe170c3aebd"});
}

TEST(ContainerPaths, Containerd_PodUidWithoutDashes) {
  std::string path =
      "/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-pod8daa50c3a64c9ff60bb9eab7b44b56fd.slice/cri-containerd-" +
      S(kCriContainerd) + ".scope";
  ExpectMatch(path, {"containerd", kCriContainerd, path, "8daa50c3a64c9ff60bb9eab7b44b56fd"});
}

TEST(ContainerPaths, Kubepods_CgroupfsDriver_BurstableAndGuaranteed) {
  std::string burstable =
      "/kubepods/besteffort/pod9a18ffb8-8513-11e7-b26e-7e29fbe2a5a3/" + S(kCgroupfsPod);
  ExpectMatch(burstable,
              {"containerd", kCgroupfsPod, burstable, "9a18ffb8-8513-11e7-b26e-7e29fbe2a5a3"});
  std::string guaranteed = "/kubepods/pod9a18ffb8-8513-11e7-b26e-7e29fbe2a5a3/" + S(kCgroupfsPod);
  ExpectMatch(guaranteed,
              {"containerd", kCgroupfsPod, guaranteed, "9a18ffb8-8513-11e7-b26e-7e29fbe2a5a3"});
}

TEST(ContainerPaths, Containerd_RuncSliceColonForm) {
  std::string segment =
      "/kubepods-besteffort-pod0125ec2f_b64a_4868_8f5b_94b56cbab864.slice:cri-containerd:" +
      S(kColon);
  ExpectMatch(segment, {"containerd", kColon, segment, "0125ec2f-b64a-4868-8f5b-94b56cbab864"});
  // The name=systemd line of the same process has containerd's service in front.
  std::string with_service = "/system.slice/containerd.service" + segment;
  ExpectMatch(with_service,
              {"containerd", kColon, with_service, "0125ec2f-b64a-4868-8f5b-94b56cbab864"});
}

TEST(ContainerPaths, Crio_SystemdScopeAndCgroupfs) {
  std::string pod =
      "/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-poda5c1f8d5_1919_434d_add7_4afaafdaef89.slice";
  std::string scope = pod + "/crio-" + S(kCrio) + ".scope";
  ExpectMatch(scope, {"cri-o", kCrio, scope, "a5c1f8d5-1919-434d-add7-4afaafdaef89"});
  std::string cgroupfs =
      "/kubepods/burstable/poda5c1f8d5-1919-434d-add7-4afaafdaef89/crio-" + S(kCrio);
  ExpectMatch(cgroupfs, {"cri-o", kCrio, cgroupfs, "a5c1f8d5-1919-434d-add7-4afaafdaef89"});
}

TEST(ContainerPaths, Crio_ConmonIsNotAContainer) {
  ExpectNoMatch(
      "/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-poda5c1f8d5_1919_434d_add7_4afaafdaef89.slice/crio-conmon-" +
      S(kCrio) + ".scope");
  ExpectNoMatch("/kubepods/burstable/poda5c1f8d5-1919-434d-add7-4afaafdaef89/crio-conmon-" +
                S(kCrio));
}

TEST(ContainerPaths, Podman_ScopeWithCrunContainerSubgroup) {
  std::string scope =
      "/user.slice/user-0.slice/user@0.service/machine.slice/libpod-" + S(kPodman) + ".scope";
  ExpectMatch(scope + "/container", {"podman", kPodman, scope, ""});
  std::string v1 = "/machine.slice/libpod-" + S(kPodmanV1) + ".scope";
  ExpectMatch(v1, {"podman", kPodmanV1, v1, ""});
  std::string cgroupfs = "/libpod_parent/libpod-" + S(kPodmanV1);
  ExpectMatch(cgroupfs, {"podman", kPodmanV1, cgroupfs, ""});
}

TEST(ContainerPaths, Podman_ConmonIsNotAContainer) {
  ExpectNoMatch("/machine.slice/libpod-conmon-" + S(kPodman) + ".scope");
  ExpectNoMatch("/libpod_parent/conmon");
}

TEST(ContainerPaths, Lxc_AllThreeLayouts) {
  ExpectMatch("/lxc/build01", {"lxc", "build01", "/lxc/build01", ""});
  ExpectMatch("/lxc.payload/build01/init.scope", {"lxc", "build01", "/lxc.payload/build01", ""});
  ExpectMatch("/lxc.payload.focal/system.slice/avahi-daemon.service",
              {"lxc", "focal", "/lxc.payload.focal", ""});
  // lxc-attach on LXC 4 joins a ".lxc" leaf under the payload.
  ExpectMatch("/lxc.payload.focal/.lxc", {"lxc", "focal", "/lxc.payload.focal", ""});
}

TEST(ContainerPaths, Lxc_MonitorIsNotTheContainer) {
  ExpectNoMatch("/lxc.monitor.focal");
  ExpectNoMatch("/lxc.monitor/build01");
}

TEST(ContainerPaths, Nspawn_DecodesEscapedDash) {
  ExpectMatch("/machine.slice/machine-my\\x2dbox.scope",
              {"nspawn", "my-box", "/machine.slice/machine-my\\x2dbox.scope", ""});
  ExpectMatch("/machine.slice/machine-my\\x2dbox.scope/payload/system.slice/sshd.service",
              {"nspawn", "my-box", "/machine.slice/machine-my\\x2dbox.scope", ""});
  ExpectMatch("/machine.slice/machine-lxc\\x2d2293906\\x2dlibvirt\\x2dcontainer.scope/libvirt",
              {"nspawn", "lxc-2293906-libvirt-container",
               "/machine.slice/machine-lxc\\x2d2293906\\x2dlibvirt\\x2dcontainer.scope", ""});
}

TEST(ContainerPaths, Nspawn_SupervisorAndQemuVmsAreNotContainers) {
  ExpectNoMatch("/machine.slice/machine-my\\x2dbox.scope/supervisor");
  ExpectNoMatch("/machine.slice/machine-qemu\\x2d1\\x2dwin11.scope/libvirt/emulator");
}

TEST(ContainerPaths, Nested_InnermostWins) {
  std::string dind = "/docker/" + S(kOuter) + "/docker/" + S(kDockerV1);
  ExpectMatch(dind, {"docker", kDockerV1, dind, ""});
  std::string minikube = "/docker/" + S(kOuter) +
                         "/kubepods.slice/kubepods-besteffort.slice/"
                         "kubepods-besteffort-pod2ca4a155_1f0e_4e49_9a57_1d9b33c3f1a0.slice/crio-" +
                         S(kCrio) + ".scope";
  ExpectMatch(minikube, {"cri-o", kCrio, minikube, "2ca4a155-1f0e-4e49-9a57-1d9b33c3f1a0"});
  // DinD on v2: an inner cgroupfs driver below the outer systemd scope.
  std::string outer_scope = "/system.slice/docker-" + S(kOuter) + ".scope";
  ExpectMatch(outer_scope + "/docker/" + S(kDockerV1),
              {"docker", kDockerV1, outer_scope + "/docker/" + S(kDockerV1), ""});
  // The outer container's own dockerd lives in its "init" sub-cgroup.
  ExpectMatch(outer_scope + "/init", {"docker", kOuter, outer_scope, ""});
}

TEST(ContainerPaths, Nested_SystemdInsideDockerStaysInTheContainer) {
  ExpectMatch("/docker/" + S(kOuter) + "/system.slice/opendkim.service",
              {"docker", kOuter, "/docker/" + S(kOuter), ""});
  // A conmon inside a container is not a container, but it still runs in the outer one.
  ExpectMatch("/docker/" + S(kOuter) + "/machine.slice/libpod-conmon-" + S(kPodman) + ".scope",
              {"docker", kOuter, "/docker/" + S(kOuter), ""});
}

TEST(ContainerPaths, CgroupNamespacePaths) {
  ExpectNoMatch("/");
  ExpectNoMatch("");
  ExpectNoMatch("/..");
  ExpectNoMatch("/../..");
  ExpectNoMatch("/../container_id2/sub_cgrp_1");
  // Seen from a sibling namespace the container is still recognised by its segment.
  std::string path = "/../../system.slice/docker-" + S(kDockerScope) + ".scope";
  ExpectMatch(path, {"docker", kDockerScope, path, ""});
}

TEST(ContainerPaths, PlainHostCgroupsDoNotMatch) {
  ExpectNoMatch("/system.slice/ssh.service");
  ExpectNoMatch("/system.slice/docker.service");
  ExpectNoMatch("/system.slice/containerd.service");
  ExpectNoMatch("/user.slice/user-1000.slice/session-3.scope");
  ExpectNoMatch("/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service");
  ExpectNoMatch("/init.scope");
  ExpectNoMatch("/kubepods.slice/kubepods-burstable.slice");
  ExpectNoMatch("/kubepods/burstable/pod9a18ffb8-8513-11e7-b26e-7e29fbe2a5a3");
  ExpectNoMatch("/sandbox/0b6aa5f2967a07ea9b60e7c680931d4f");
  ExpectNoMatch("/machine.slice");
}

TEST(ContainerPaths, IdsMustBe64LowercaseHex) {
  ExpectNoMatch("/docker/2403ccfe427f");                                     // short
  ExpectNoMatch("/system.slice/docker-" + std::string(64, 'A') + ".scope");  // upper case
  ExpectNoMatch("/system.slice/docker-" + std::string(63, 'a') + "g.scope");
  ExpectNoMatch("/" + S(kDockerV1));  // a bare id under no known parent
}

TEST(ContainerPaths, ColonInPlainPathsDoesNotMatch) {
  ExpectNoMatch("/system.slice/weird:name.service");
  ExpectNoMatch("/a.slice:unknown-runtime:" + S(kColon));
  ExpectNoMatch("/kubepods-besteffort.slice:cri-containerd:notanid");
  ExpectMatch("/system.slice:docker:" + S(kDockerV1),
              {"docker", kDockerV1, "/system.slice:docker:" + S(kDockerV1), ""});
}

}  // namespace
}  // namespace procleak
