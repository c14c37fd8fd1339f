# SPDX-License-Identifier: Apache-2.0
"""The `hostile-names` fixture tree: names a process or a container's owner chooses.

A cgroup-v2 host (systemd driver) running Docker, whose comm values, command lines, container
names and a service's cgroup path hold every class of character a terminal must not receive raw
(C0 and C1 controls, the 8-bit CSI as UTF-8 and as a raw byte, bidi overrides and isolates,
zero-width and other format characters, U+2028, invalid UTF-8) beside names that are wide on a
terminal (CJK, fullwidth forms, emoji) or carry combining marks:

| where                                   | what                                              |
|-----------------------------------------|---------------------------------------------------|
| docker `进程管理器` (CJK name)           | node hub.js leaking 3 `npm exec @scope/进程-server` chains |
| docker named with ESC, CSI, RLO         | `sleep infinity`                                  |
| docker `ｗｅｂ－ｆｒｏｎｔ` (fullwidth)  | nginx, a worker whose title is fullwidth, emoji and combining |
| `/system.slice/进程管理器\u202e.service`| comm with ESC and bidi, argv with invalid UTF-8;  |
|                                         | a zombie child whose comm is invalid UTF-8        |
| `/system.slice/emoji.service`           | comm of emoji cut by the kernel mid-character     |

Run by make_fixtures.py; the expectations are in tests/cli/hostile_names_test.cc.
"""

import os

from make_fixtures import Proc, Tree, hex_id
from runtime_fixtures import (docker_daemons, docker_files, docker_time, kthreads, parents, shim,
                              systemd_init, v2_group, v2_mountinfo, v2_root)

CJK = hex_id("hostile-names/cjk")
HOSTILE = hex_id("hostile-names/hostile")
FULLWIDTH = hex_id("hostile-names/fullwidth")
CJK_NAME = "进程管理器"
HOSTILE_NAME = "x\x1b]0;owned\x07\u009b31m\u202egnp.exe"
FULLWIDTH_NAME = "ｗｅｂ－ｆｒｏｎｔ"
SERVICE = "/system.slice/进程管理器\u202e.service"
BTIME = 1794931200  # 2026-11-17T16:00:00Z
# comm values that are not UTF-8, written over a placeholder: the kernel keeps 15 bytes of comm,
# so four emoji (16 bytes) lose the last one's final byte; 920's holds a cut sequence, an
# overlong "/", a surrogate and a lone continuation byte, then U+202E.
RAW_COMMS = {
    910: "😀😀😀😀".encode()[:15],
    920: b"\xe8\xbf\xc0\xaf\xed\xa0\x80\x80\xe2\x80\xae",
}


def scope(cid: str) -> dict:
    return {"": f"/system.slice/docker-{cid}.scope"}


def processes() -> list:
    procs = [
        systemd_init(),
        *kthreads(),
        *docker_daemons(),
        shim(1000, 5000, "moby", CJK),
        Proc(1010, "node", 1000, 5020, ["node", "/app/中心.js"], threads=11, size=300000,
             rss=23040, shared=4000, cgroups=scope(CJK), nspid=1),
    ]
    for i in range(3):  # one chain every 30 minutes, none ever stopped
        pid, start = 1100 + 10 * i, 5020 + 180000 * (i + 1)
        procs += [
            Proc(pid, "npm exec @scope", 1010, start, ["npm exec @scope/进程-server"],
                 threads=11, size=250000, rss=19968, shared=3000, cgroups=scope(CJK),
                 nspid=20 + 3 * i),
            Proc(pid + 1, "sh", pid, start + 2, ["sh", "-c", "进程-server"], size=650, rss=256,
                 shared=200, cgroups=scope(CJK), nspid=21 + 3 * i),
            Proc(pid + 2, "node", pid + 1, start + 4, ["node", "/x/进程-server"], threads=7,
                 size=220000, rss=12800, shared=2500, cgroups=scope(CJK), nspid=22 + 3 * i),
        ]
    procs += [
        shim(1200, 6000, "moby", HOSTILE),
        Proc(1210, "sleep", 1200, 6020, ["sleep", "infinity"], size=600, rss=130, shared=110,
             cgroups=scope(HOSTILE), nspid=1),
        shim(1300, 7000, "moby", FULLWIDTH),
        Proc(1310, "nginx", 1300, 7020, b"nginx: master process nginx -g daemon off;\0",
             size=2801, rss=1450, shared=1190, cgroups=scope(FULLWIDTH), nspid=1),
        Proc(1320, "nginx", 1310, 7080,
             ("nginx: worker ｗｅｂ－ｆｒｏｎｔ 😀 e\u0301e\u0301 " + "进程管理器" * 6).encode() + b"\0",
             size=2901, rss=820, shared=610, uid=101, cgroups=scope(FULLWIDTH), nspid=29),
        # A service whose comm drives the terminal and whose argv is not UTF-8 at all.
        Proc(900, "a\x1b[2J\u202eb\u200b", 1, 3000,
             b"/usr/bin/evil\0--title=\x1b]0;owned\x07\xc2\x9b31m\x9b1m\0"
             b"\xe8\xbf\xc0\xaf\xed\xa0\x80\x80\0\xe2\x80\xae\xe2\x81\xa6\xe2\x80\xa8\0",
             size=5000, rss=2000, shared=500, cgroups={"": SERVICE}),
        # Its child exited: a zombie has no command line, so the tree shows "[comm]".
        Proc(920, "PLACEHOLDER", 900, 3050, kind="zombie", state="Z", cgroups={"": SERVICE}),
        Proc(910, "PLACEHOLDER", 1, 3100, ["/usr/bin/emoji-daemon"], size=3000,
             rss=900, shared=300, cgroups={"": "/system.slice/emoji.service"}),
    ]
    return procs


def set_raw_comm(t: Tree, pid: int, comm: bytes) -> None:
    """Puts bytes that are not UTF-8 in stat and status, as the kernel's cut leaves them."""
    for name in ("stat", "status"):
        path = os.path.join(t.root, f"proc/{pid}/{name}")
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data.replace(b"PLACEHOLDER", comm, 1))


def hostile_names() -> None:
    t = Tree("hostile-names")
    procs = processes()
    t.host("hostile-01", "6.1.0-27-amd64", BTIME, 4, (8139464, 3410220, 5512344, 2614280),
           v2_mountinfo("/dev/vda1"))
    t.processes(procs, [(0, "", "")], kthread_line=False)
    t.procs_files("sys/fs/cgroup", "", procs)
    for pid, comm in RAW_COMMS.items():
        set_raw_comm(t, pid, comm)

    v2_root(t)
    parents(t, "/system.slice")
    v2_group(t, "/init.scope", 13172736)
    v2_group(t, "/system.slice/containerd.service", 187236352, pids=27)
    v2_group(t, "/system.slice/docker.service", 104857600, pids=20)
    v2_group(t, SERVICE, 8388608, pids=2)
    v2_group(t, "/system.slice/emoji.service", 4194304)
    v2_group(t, scope(CJK)[""], 536870912, 1073741824, pids=10, pids_max=4096)
    v2_group(t, scope(HOSTILE)[""], 1048576, pids=1)
    v2_group(t, scope(FULLWIDTH)[""], 25165824, 536870912, pids=2)

    started = docker_time(50, 118645127)
    for cid, name, init, path, args in (
            (CJK, CJK_NAME, 1010, "node", ["/app/中心.js"]),
            (HOSTILE, HOSTILE_NAME, 1210, "sleep", ["infinity"]),
            (FULLWIDTH, FULLWIDTH_NAME, 1310, "nginx", ["-g", "daemon off;"])):
        docker_files(t, cid, name, "hostile/image:1", path, args,
                     {"running": True, "restarting": False, "pid": init, "exit": 0,
                      "started": started, "finished": "0001-01-01T00:00:00Z"}, 0, 0, "always")


if __name__ == "__main__":
    hostile_names()
