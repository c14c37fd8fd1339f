# SPDX-License-Identifier: Apache-2.0
"""The `spoof` fixture tree: a cgroup that only claims to be a Docker container (issue 17).

A cgroup-v2 Docker host (systemd driver) with one real container, `web`, whose state Docker keeps
under /var/lib/docker, and an ordinary user's delegated cgroup named like Docker's cgroupfs
driver, `user@1000.service/docker/<64 hex>`, holding the user's own processes. Nothing of Docker's
names that id, and the process's /proc/PID/root is the host's, so its etc/hostname is the host's
own name: a scan must show it unverified and unnamed, and `web` verified and named.

Run by make_fixtures.py; the expectations are in tests/cli/spoof_fixture_test.cc.
"""

from make_fixtures import Proc, Tree, hex_id
from runtime_fixtures import (BTIME_DOCKER, docker_daemons, docker_files, docker_time, finish,
                              kthreads, parents, shim, systemd_init, v2_group, v2_mountinfo,
                              v2_root)

WEB = hex_id("spoof/web")
FAKE = hex_id("spoof/fake")
USER = "/user.slice/user-1000.slice/user@1000.service"
WEB_SCOPE = f"/system.slice/docker-{WEB}.scope"
FAKE_CGROUP = f"{USER}/docker/{FAKE}"


def spoof() -> None:
    t = Tree("spoof")
    procs = [
        systemd_init(),
        *kthreads(),
        *docker_daemons(),
        shim(1390, 150210, "moby", WEB),
        Proc(1410, "nginx", 1390, 150231, b"nginx: master process nginx -g daemon off;\0",
             size=2801, rss=1450, shared=1190, cgroups={"": WEB_SCOPE}, nspid=1),
        Proc(1440, "nginx", 1410, 150290, b"nginx: worker process" + b"\0" * 22, size=2901,
             rss=820, shared=610, uid=101, cgroups={"": WEB_SCOPE}, nspid=29),
        Proc(1100, "systemd", 1, 2210, ["/usr/lib/systemd/systemd", "--user"], size=5321,
             rss=2730, shared=1980, uid=1000, cgroups={"": f"{USER}/init.scope"}),
        # The user's own processes, in the cgroup they named; no pid namespace of their own.
        Proc(3100, "python3", 1100, 160100, ["python3", "/home/dev/miner.py"], size=52100,
             rss=30720, shared=2100, uid=1000, cgroups={"": FAKE_CGROUP}),
        Proc(3101, "python3", 3100, 160180, ["python3", "/home/dev/miner.py", "--worker"],
             size=52100, rss=20480, shared=2100, uid=1000, cgroups={"": FAKE_CGROUP}),
    ]
    t.host("build-07", "6.1.0-27-amd64", BTIME_DOCKER, 4, (8139464, 3410220, 5512344, 2614280),
           v2_mountinfo("/dev/vda1"))
    finish(t, procs)
    # The host's own root, seen through the user's process.
    t.write("proc/3100/root/etc/hostname", "build-07\n")

    v2_root(t)
    parents(t, "/system.slice", "/user.slice", "/user.slice/user-1000.slice", USER,
            f"{USER}/docker")
    v2_group(t, "/init.scope", 13172736)
    v2_group(t, "/system.slice/containerd.service", 187236352, pids=27)
    v2_group(t, "/system.slice/docker.service", 104857600, pids=20)
    v2_group(t, WEB_SCOPE, 25165824, 536870912, pids=2, pids_max=4096)
    v2_group(t, f"{USER}/init.scope", 8388608)
    v2_group(t, FAKE_CGROUP, 62914560, pids=2)

    docker_files(t, WEB, "web", "nginx:1.27", "/docker-entrypoint.sh",
                 ["nginx", "-g", "daemon off;"],
                 {"running": True, "restarting": False, "pid": 1410, "exit": 0,
                  "started": docker_time(1502, 118645127), "finished": "0001-01-01T00:00:00Z"},
                 0, 536870912, "unless-stopped")


if __name__ == "__main__":
    spoof()
