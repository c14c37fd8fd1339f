// SPDX-License-Identifier: Apache-2.0
// ParseDockerConfig / ParseDockerHostConfig on files shaped like Docker 24's own.
#include "container/docker_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace procleak {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Debian's abseil has its own string_view, which gmock's string matchers do not take.
std::string Msg(const absl::Status& status) { return std::string(status.message()); }

constexpr char kId[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// config.v2.json as dockerd writes it (one line in reality; wrapped here), with `state` spliced
// in as the State object.
std::string Config(const std::string& name, const std::string& state, int restart_count) {
  return R"({"StreamConfig":{},"State":)" + state + R"(,"ID":")" + kId +
         R"(","Created":"2026-03-02T14:40:12.418273645Z",)"
         R"("Managed":false,"Path":"/docker-entrypoint.sh","Args":["nginx","-g","daemon off;"],)"
         R"("Config":{"Hostname":"9f86d081884c","Domainname":"","User":"","AttachStdin":false,)"
         R"("Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",)"
         R"("NGINX_VERSION=1.25.4"],"Cmd":["nginx","-g","daemon off;"],"Image":"nginx:1.25",)"
         R"("Labels":{"com.docker.compose.project":"shop","com.docker.compose.service":"web"},)"
         R"("StopSignal":"SIGQUIT"},"Image":"sha256:e4720093a3c1381245b53a5a51b417963b3c4472d3f47fc301930a4f3b17666a",)"
         R"("ImageManifest":null,"NetworkSettings":{"Bridge":"","SandboxID":"5c1f","Networks":{}},)"
         R"("LogPath":"/var/lib/docker/containers/)" +
         kId + "/" + kId + R"(-json.log","Name":")" + name +
         R"(","Driver":"overlay2",)"
         R"("OS":"linux","RestartCount":)" +
         std::to_string(restart_count) +
         R"(,"HasBeenStartedBefore":true,"HasBeenManuallyStopped":false,"MountPoints":{},)"
         R"("AppArmorProfile":"docker-default","SeccompProfile":"","NoNewPrivileges":false})";
}

std::string State(bool running, bool paused, bool restarting, bool dead, int pid,
                  const std::string& started_at) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  return std::string(R"({"Running":)") + b(running) + R"(,"Paused":)" + b(paused) +
         R"(,"Restarting":)" + b(restarting) +
         R"(,"OOMKilled":false,"RemovalInProgress":false,)"
         R"("Dead":)" +
         b(dead) + R"(,"Pid":)" + std::to_string(pid) +
         R"(,"ExitCode":0,"Error":"","StartedAt":")" + started_at +
         R"(","FinishedAt":"0001-01-01T00:00:00Z","Health":null})";
}

absl::Time At(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

TEST(DockerConfig, Parses_RunningContainer) {
  absl::StatusOr<DockerConfig> config = ParseDockerConfig(
      Config("/web", State(true, false, false, false, 1425, "2026-03-02T14:41:03.118645127Z"), 0));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->id, kId);
  EXPECT_EQ(config->name, "web");
  EXPECT_EQ(config->restart_count, 0u);
  EXPECT_EQ(config->state, "running");
  EXPECT_EQ(config->pid, 1425);
  ASSERT_TRUE(config->started_at.has_value());
  EXPECT_EQ(*config->started_at, absl::FromUnixSeconds(1772462463) + absl::Nanoseconds(118645127));
}

TEST(DockerConfig, Parses_RestartLoopingContainer) {
  // A restarting container is also Running in Docker's state (SetRestarting sets both), with
  // Pid 0 between two attempts.
  absl::StatusOr<DockerConfig> config = ParseDockerConfig(
      Config("/worker", State(true, false, true, false, 0, "2026-03-02T16:58:41.90215573Z"), 37));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->name, "worker");
  EXPECT_EQ(config->state, "restarting");
  EXPECT_EQ(config->restart_count, 37u);
  EXPECT_EQ(config->pid, 0);
  EXPECT_EQ(config->started_at, At("2026-03-02T16:58:41.90215573Z"));
}

TEST(DockerConfig, StateStrings_FollowDocker) {
  const char* started = "2026-03-02T14:41:03.118645127Z";
  struct Case {
    std::string state;
    const char* want;
  } cases[] = {
      {State(true, true, false, false, 88, started), "paused"},
      {State(false, false, false, false, 0, started), "exited"},
      {State(false, false, false, true, 0, started), "dead"},
      {State(false, false, false, false, 0, "0001-01-01T00:00:00Z"), "created"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DockerConfig> config = ParseDockerConfig(Config("/x", c.state, 0));
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_EQ(config->state, c.want) << c.state;
  }
}

TEST(DockerConfig, GoZeroStartedAt_IsAbsent) {
  absl::StatusOr<DockerConfig> config = ParseDockerConfig(
      Config("/never", State(false, false, false, false, 0, "0001-01-01T00:00:00Z"), 0));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->started_at.has_value());
  EXPECT_EQ(config->state, "created");
}

TEST(DockerConfig, StartedAt_KeepsNanosecondsAndOffsets) {
  absl::StatusOr<DockerConfig> config = ParseDockerConfig(
      Config("/x", State(true, false, false, false, 7, "2026-03-02T15:41:03.000000001+01:00"), 0));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->started_at, absl::FromUnixSeconds(1772462463) + absl::Nanoseconds(1));
}

TEST(DockerConfig, BadStartedAt_IsAnError) {
  absl::StatusOr<DockerConfig> config =
      ParseDockerConfig(Config("/x", State(true, false, false, false, 7, "yesterday"), 0));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(Msg(config.status()), HasSubstr("State.StartedAt"));
  EXPECT_THAT(Msg(config.status()), HasSubstr("yesterday"));
}

TEST(DockerConfig, MissingKeys_LeaveFieldsEmpty) {
  absl::StatusOr<DockerConfig> config = ParseDockerConfig("{}");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->id, "");
  EXPECT_EQ(config->name, "");
  EXPECT_FALSE(config->restart_count.has_value());
  EXPECT_FALSE(config->started_at.has_value());
  EXPECT_EQ(config->pid, 0);
  EXPECT_EQ(config->state, "created");

  // Keys of the wrong type count as missing, never as a thrown type_error.
  config = ParseDockerConfig(
      R"({"Name":7,"RestartCount":"3","State":{"Running":"yes","Pid":-1,"StartedAt":12}})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->name, "");
  EXPECT_FALSE(config->restart_count.has_value());
  EXPECT_EQ(config->pid, 0);
  EXPECT_EQ(config->state, "created");

  config = ParseDockerConfig(R"({"Name":"/x","State":null})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->name, "x");
}

TEST(DockerConfig, MalformedJson_IsOneLineError) {
  std::string truncated =
      Config("/web", State(true, false, false, false, 1, "0001-01-01T00:00:00Z"), 0);
  truncated.resize(truncated.size() / 2);
  for (const std::string& text :
       {truncated, std::string(""), std::string("{\"ID\":\n\"x\",}"), std::string("not json")}) {
    absl::StatusOr<DockerConfig> config = ParseDockerConfig(text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_THAT(Msg(config.status()), StartsWith("invalid JSON"));
    EXPECT_THAT(Msg(config.status()), Not(HasSubstr("\n")));
    EXPECT_THAT(Msg(config.status()), Not(HasSubstr("[json.exception")));
  }
  absl::StatusOr<DockerConfig> config = ParseDockerConfig("{\"ID\":\n\"x\",}");
  EXPECT_THAT(Msg(config.status()), HasSubstr("line 2"));
}

TEST(DockerConfig, NonObjectTopLevel_IsAnError) {
  absl::StatusOr<DockerConfig> config = ParseDockerConfig("[1,2]");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(Msg(config.status()), HasSubstr("expected an object"));
}

// hostconfig.json, shortened to the keys around the ones read.
std::string HostConfig(const std::string& memory, const std::string& policy) {
  return R"({"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"json-file","Config":{}},)"
         R"("NetworkMode":"bridge","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},)"
         R"("RestartPolicy":)" +
         policy +
         R"(,"AutoRemove":false,"VolumeDriver":"","CgroupnsMode":"private","Dns":[],)"
         R"("ShmSize":67108864,"Runtime":"runc","Isolation":"","CpuShares":0,"Memory":)" +
         memory +
         R"(,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"MemoryReservation":0,)"
         R"("MemorySwap":)" +
         (memory == "0" ? std::string("0") : "-1") +
         R"(,"MemorySwappiness":null,"OomKillDisable":null,"PidsLimit":null,"Ulimits":[]})";
}

TEST(DockerHostConfig, MemoryLimitAndRestartPolicy) {
  absl::StatusOr<DockerHostConfig> host =
      ParseDockerHostConfig(HostConfig("536870912", R"({"Name":"always","MaximumRetryCount":0})"));
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->memory_bytes, 536870912u);
  EXPECT_EQ(host->restart_policy, "always");
}

TEST(DockerHostConfig, MemoryZero_MeansNoLimit) {
  absl::StatusOr<DockerHostConfig> host =
      ParseDockerHostConfig(HostConfig("0", R"({"Name":"on-failure","MaximumRetryCount":5})"));
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_FALSE(host->memory_bytes.has_value());
  EXPECT_EQ(host->restart_policy, "on-failure");

  host = ParseDockerHostConfig(HostConfig("0", R"({"Name":"","MaximumRetryCount":0})"));
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->restart_policy, "");
}

TEST(DockerHostConfig, MissingKeys_AndMalformedJson) {
  absl::StatusOr<DockerHostConfig> host = ParseDockerHostConfig(R"({"RestartPolicy":"always"})");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_FALSE(host->memory_bytes.has_value());
  EXPECT_EQ(host->restart_policy, "");

  host = ParseDockerHostConfig(R"({"Memory":536870912,)");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(Msg(host.status()), StartsWith("invalid JSON"));
}

}  // namespace
}  // namespace procleak
