// SPDX-License-Identifier: Apache-2.0
#pragma once
// The systemd unit a cgroup path stands for, as systemctl and systemd-cgtop users name it.

#include <string_view>

namespace procleak {

// The path below its leading slices when what follows them is a systemd unit (a name ending in
// .service, .scope, .socket, .mount or .swap): "nginx.service" for /system.slice/nginx.service,
// "session-3.scope" for /user.slice/user-1000.slice/session-3.scope,
// "user@1000.service/init.scope" for the user manager's own processes, "foo.service/payload" for a
// service's delegated sub-cgroup. A path of slices only is its last slice ("system.slice"). ""
// for a path that is no unit: "/", "/docker/<id>", "/sandbox/x" (cgroupfs drivers, v1 hosts
// without systemd). A view into `path`; the name is the kernel's, so it may hold systemd's \x2d
// escapes or anything a delegated user wrote.
std::string_view SystemdUnit(std::string_view path);

}  // namespace procleak
