// SPDX-License-Identifier: Apache-2.0
// SystemdUnit: the unit name systemctl and systemd-cgtop users know a cgroup by.
#include "model/systemd_unit.h"

#include <gtest/gtest.h>

namespace procleak {
namespace {

TEST(SystemdUnit, Names_ServicesAndScopesBelowTheirSlices) {
  EXPECT_EQ(SystemdUnit("/system.slice/nginx.service"), "nginx.service");
  EXPECT_EQ(SystemdUnit("/user.slice/user-1000.slice/session-3.scope"), "session-3.scope");
  EXPECT_EQ(SystemdUnit("/user.slice/user-1000.slice/user@1000.service"), "user@1000.service");
  EXPECT_EQ(SystemdUnit("/init.scope"), "init.scope");
  EXPECT_EQ(SystemdUnit("/system.slice/var-lib-x.mount"), "var-lib-x.mount");
  EXPECT_EQ(SystemdUnit("/system.slice/sshd.socket"), "sshd.socket");
  EXPECT_EQ(SystemdUnit("/system.slice/dev-zram0.swap"), "dev-zram0.swap");
}

TEST(SystemdUnit, Keeps_WhatIsBelowTheUnit) {
  // The user manager's own units, and a service's delegated sub-cgroups, stay distinct.
  EXPECT_EQ(SystemdUnit("/user.slice/user-1000.slice/user@1000.service/init.scope"),
            "user@1000.service/init.scope");
  EXPECT_EQ(SystemdUnit("/user.slice/user-1000.slice/user@1000.service/app.slice/x.service"),
            "user@1000.service/app.slice/x.service");
  EXPECT_EQ(SystemdUnit("/system.slice/foo.service/payload"), "foo.service/payload");
}

TEST(SystemdUnit, Gives_TheLastSlice_OfAPathOfSlicesOnly) {
  EXPECT_EQ(SystemdUnit("/system.slice"), "system.slice");
  EXPECT_EQ(SystemdUnit("/user.slice/user-1000.slice"), "user-1000.slice");
}

TEST(SystemdUnit, Gives_Nothing_ForPathsThatAreNoUnit) {
  EXPECT_EQ(SystemdUnit("/"), "");
  EXPECT_EQ(SystemdUnit(""), "");
  EXPECT_EQ(SystemdUnit("/docker/4ec6993fbaf7"), "");             // cgroupfs driver
  EXPECT_EQ(SystemdUnit("/sandbox/0b6aa5f2967a"), "");            // not systemd's
  EXPECT_EQ(SystemdUnit("/system.slice/plain-dir"), "");          // below a slice, no unit
  EXPECT_EQ(SystemdUnit("/.service"), "");                        // a suffix alone
  EXPECT_EQ(SystemdUnit("/.slice/a.service"), "");                // nor is ".slice" a slice
  EXPECT_EQ(SystemdUnit("/lxc.payload.web01/system.slice"), "");  // a container's own systemd
}

TEST(SystemdUnit, IsAViewIntoThePath) {
  const std::string path = "/system.slice/nginx.service";
  const std::string_view unit = SystemdUnit(path);
  EXPECT_EQ(unit.data(), path.data() + path.size() - unit.size());
}

}  // namespace
}  // namespace procleak
