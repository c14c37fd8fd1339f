# SPDX-License-Identifier: Apache-2.0
"""Fixture trees for the container runtime layouts (imported by make_fixtures.py).

One small, realistic cgroup-v2 host per layout: k8s-containerd, crio, podman, lxc, nspawn and
docker-systemd. Paths follow /work/shared/reference/proc-cgroup-formats.md section 2; the numbers
are asserted in tests/container/fixture_layouts_test.cc (and described in README.md).
"""

import json

from make_fixtures import (Proc, Tree, containerd_task, hex_id, pressure, v2_memory_stat,
                           write_v2_cgroup)

MIB = 1024 * 1024
CONTROLLERS = "cpuset cpu io memory hugetlb pids rdma misc\n"
QUIET = ((0.0, 0.0, 0.0, 0), (0.0, 0.0, 0.0, 0))


def v2_mountinfo(root_dev: str, extra: str = "") -> str:
    """A systemd host's mountinfo with one cgroup2 mount at /sys/fs/cgroup."""
    return f"""\
25 1 252:1 / / rw,relatime shared:1 - ext4 {root_dev} rw,discard,errors=remount-ro
26 25 0:24 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
27 25 0:25 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw
28 25 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4019884k,nr_inodes=1004971,mode=755,inode64
31 25 0:27 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=813948k,mode=755,inode64
34 26 0:29 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
35 26 0:30 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw
36 26 0:31 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf bpf rw,mode=700
""" + extra


def v2_group(t: Tree, path: str, current: int, maximum="max", peak=None, events=(0, 0, 0, 0),
             pids=1, pids_max="max", psi=QUIET) -> None:
    """The memory and pids files of one non-root v2 cgroup; memory.stat derived from `current`.

    events = (high, max, oom, oom_kill) as in memory.events.
    """
    anon = current * 7 // 10 // 4096 * 4096
    file = current * 2 // 10 // 4096 * 4096
    kernel = current - anon - file
    high, mx, oom, oom_kill = events
    write_v2_cgroup(t, path, current, maximum, peak if peak is not None else current + 4 * MIB,
                    (0, high, mx, oom, oom_kill),
                    v2_memory_stat(anon, file, kernel, 0, file // 3, kernel // 2, 0), psi, pids,
                    pids_max)


def parents(t: Tree, *paths: str) -> None:
    """Intermediate slices that hold no process themselves."""
    for path in paths:
        t.write(f"sys/fs/cgroup{path}/cgroup.controllers", CONTROLLERS)


def v2_root(t: Tree) -> None:
    cg = "sys/fs/cgroup"
    t.write(f"{cg}/cgroup.controllers", CONTROLLERS)
    t.write(f"{cg}/cgroup.subtree_control", CONTROLLERS)
    t.write(f"{cg}/memory.pressure", pressure((0.10, 0.05, 0.01, 912233), (0.02, 0.01, 0.0, 301)))


def systemd_init(size=5689, rss=3258) -> Proc:
    return Proc(1, "systemd", 0, 3, ["/sbin/init"], size=size, rss=rss, shared=2101,
                cgroups={"": "/init.scope"})


def kthreads() -> list:
    return [Proc(2, "kthreadd", 0, 3, kind="kthread", cgroups={"": "/"}),
            Proc(53, "kworker/0:1H-kblockd", 2, 70, kind="kworker", state="I",
                 cgroups={"": "/"})]


def docker_daemons(*dockerd_args: str) -> list:
    """containerd and dockerd as systemd runs them; dockerd's arguments after -H fd://."""
    return [
        Proc(650, "containerd", 1, 820, ["/usr/bin/containerd"], threads=14, size=473210,
             rss=11830, shared=6710, cgroups={"": "/system.slice/containerd.service"}),
        Proc(720, "dockerd", 1, 960, ["/usr/bin/dockerd", "-H", "fd://", *dockerd_args],
             threads=20, size=611300, rss=20011, shared=8830,
             cgroups={"": "/system.slice/docker.service"}),
    ]


def shim(pid: int, start: int, namespace: str, cid: str) -> Proc:
    return Proc(pid, "containerd-shim", 1, start,
                ["/usr/bin/containerd-shim-runc-v2", "-namespace", namespace, "-id", cid,
                 "-address", "/run/containerd/containerd.sock"],
                threads=11, size=309112, rss=2701, shared=1498,
                cgroups={"": "/system.slice/containerd.service"})


def finish(t: Tree, procs: list) -> None:
    t.processes(procs, [(0, "", "")], kthread_line=False)
    t.procs_files("sys/fs/cgroup", "", procs)


# --------------------------------------------------------------------------------------------
# k8s-containerd: kubelet (systemd driver) + containerd CRI, two burstable pods
# --------------------------------------------------------------------------------------------


def k8s_containerd() -> None:
    t = Tree("k8s-containerd")
    shop_uid = "6e0f3b2a-41c7-4d8e-9b25-7f1a0c3d5e91"
    batch_uid = "c2d94e17-8a3b-4f60-b1d5-93e2a7f04c68"
    shop_pause = hex_id("k8s-containerd/frontend-sandbox")
    frontend = hex_id("k8s-containerd/frontend")
    batch_pause = hex_id("k8s-containerd/report-sandbox")
    builder = hex_id("k8s-containerd/builder")
    burstable = "/kubepods.slice/kubepods-burstable.slice"

    def pod_slice(uid):
        return f"{burstable}/kubepods-burstable-pod{uid.replace('-', '_')}.slice"

    def scope(uid, cid):
        return f"{pod_slice(uid)}/cri-containerd-{cid}.scope"

    procs = [
        systemd_init(),
        *kthreads(),
        Proc(640, "containerd", 1, 810, ["/usr/bin/containerd"], threads=16, size=480220,
             rss=13210, shared=7011, cgroups={"": "/system.slice/containerd.service"}),
        Proc(702, "kubelet", 1, 905,
             ["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml",
              "--kubeconfig=/etc/kubernetes/kubelet.conf",
              "--container-runtime-endpoint=unix:///run/containerd/containerd.sock"],
             threads=18, size=498113, rss=24310, shared=9120,
             cgroups={"": "/system.slice/kubelet.service"}),
        shim(1790, 4410, "k8s.io", shop_pause),
        Proc(1810, "pause", 1790, 4432, ["/pause"], size=253, rss=104, shared=2, uid=65535,
             cgroups={"": scope(shop_uid, shop_pause)}, nspid=1),
        Proc(1850, "node", 1790, 4510, ["node", "server.js"], threads=11, size=281004,
             rss=30976, shared=6120, uid=1000, cgroups={"": scope(shop_uid, frontend)}, nspid=1),
        Proc(1871, "node", 1850, 4590, ["node", "/app/render-worker.js"], threads=7,
             size=240118, rss=15360, shared=5410, uid=1000,
             cgroups={"": scope(shop_uid, frontend)}, nspid=14),
        shim(1990, 5120, "k8s.io", batch_pause),
        Proc(2010, "pause", 1990, 5141, ["/pause"], size=253, rss=104, shared=2, uid=65535,
             cgroups={"": scope(batch_uid, batch_pause)}, nspid=1),
        Proc(2050, "python3", 1990, 5230, ["python3", "/app/build_reports.py", "--month", "10"],
             threads=5, size=190233, rss=120832, shared=3011,
             cgroups={"": scope(batch_uid, builder)}, nspid=1),
        Proc(2061, "python3", 2050, 5260,
             ["python3", "-c", "from multiprocessing.spawn import spawn_main; spawn_main()"],
             size=150233, rss=6144, shared=2011, cgroups={"": scope(batch_uid, builder)}, nspid=9),
    ]
    t.host("k8s-node-2", "6.1.0-18-cloud-amd64", 1794931200, 4,
           (16374356, 8120332, 11839020, 3012044), v2_mountinfo("/dev/nvme0n1p1"))
    finish(t, procs)
    for cid in (shop_pause, frontend, batch_pause, builder):
        containerd_task(t, "k8s.io", cid)

    v2_root(t)
    parents(t, "/system.slice", "/kubepods.slice", burstable, pod_slice(shop_uid),
            pod_slice(batch_uid))
    v2_group(t, "/init.scope", 13172736)
    v2_group(t, "/system.slice/containerd.service", 201326592, pids=47)
    v2_group(t, "/system.slice/kubelet.service", 121634816, pids=18)
    v2_group(t, scope(shop_uid, shop_pause), 602112)
    v2_group(t, scope(shop_uid, frontend), 194772992, 1073741824, pids=18)
    v2_group(t, scope(batch_uid, batch_pause), 589824)
    # Near its limit (99.2%), three processes OOM-killed already.
    v2_group(t, scope(batch_uid, builder), 532676608, 536870912, peak=536870912,
             events=(0, 812, 3, 3), pids=6,
             psi=((12.40, 8.75, 3.10, 91822012), (9.85, 6.02, 2.11, 60011245)))

    # kubelet's links to the pods' logs, named <pod>_<namespace>_<container>-<id>.log; the
    # sandboxes (pause) have none. An exited container's link lingers.
    for pod, ns, name, cid in [
        ("frontend-7c9d8f6b5-x2kqp", "shop", "frontend", frontend),
        ("report-builder-28815840-qq7wl", "batch", "builder", builder),
        ("report-builder-28815840-qq7wl", "batch", "builder",
         hex_id("k8s-containerd/builder-previous")),
    ]:
        t.write(f"var/log/containers/{pod}_{ns}_{name}-{cid}.log", "")


# --------------------------------------------------------------------------------------------
# crio: CRI-O (systemd driver), one container and its conmon
# --------------------------------------------------------------------------------------------


def crio() -> None:
    t = Tree("crio")
    agent = hex_id("crio/agent")
    uid = "9d3e5f71-2b4c-4a8d-8e6f-0c1b2a3d4e5f"
    pod = ("/kubepods.slice/kubepods-besteffort.slice/"
           f"kubepods-besteffort-pod{uid.replace('-', '_')}.slice")
    scope = f"{pod}/crio-{agent}.scope"
    conmon_scope = f"{pod}/crio-conmon-{agent}.scope"
    procs = [
        systemd_init(),
        *kthreads(),
        Proc(610, "crio", 1, 790, ["/usr/bin/crio"], threads=15, size=455120, rss=15120,
             shared=7300, cgroups={"": "/system.slice/crio.service"}),
        Proc(690, "kubelet", 1, 880,
             ["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml",
              "--container-runtime-endpoint=unix:///var/run/crio/crio.sock"],
             threads=17, size=498113, rss=23990, shared=9020,
             cgroups={"": "/system.slice/kubelet.service"}),
        # conmon is not part of the container: it has its own crio-conmon-<id>.scope.
        Proc(1500, "conmon", 1, 6010,
             ["/usr/bin/conmon", "-b", f"/run/containers/storage/overlay-containers/{agent}"
              "/userdata", "-c", agent, "--exit-dir", "/var/run/crio/exits", "-l",
              f"/var/log/pods/monitoring_node-agent-h7x2k_{uid}/agent/0.log", "-r",
              "/usr/bin/crun", "--runtime-arg", "--root=/run/crun", "-s"],
             size=19980, rss=420, shared=390, cgroups={"": conmon_scope}),
        Proc(1520, "tini", 1500, 6030, ["/usr/bin/tini", "--", "/bin/node_exporter"],
             size=620, rss=180, shared=150, uid=65534, cgroups={"": scope}, nspid=1),
        Proc(1541, "node_exporter", 1520, 6041,
             ["/bin/node_exporter", "--path.rootfs=/host"], threads=8, size=184321,
             rss=5120, shared=2010, uid=65534, cgroups={"": scope}, nspid=7),
    ]
    t.host("crio-node-1", "6.8.0-1014-aws", 1794931200, 2, (8139464, 4410220, 6012344, 1614280),
           v2_mountinfo("/dev/nvme0n1p1"))
    finish(t, procs)

    v2_root(t)
    parents(t, "/system.slice", "/kubepods.slice", "/kubepods.slice/kubepods-besteffort.slice",
            pod)
    v2_group(t, "/init.scope", 13172736)
    v2_group(t, "/system.slice/crio.service", 92274688, pids=15)
    v2_group(t, "/system.slice/kubelet.service", 119537664, pids=17)
    v2_group(t, conmon_scope, 1048576, pids=2)
    v2_group(t, scope, 23068672, pids=9)
    t.write(f"var/log/containers/node-agent-h7x2k_monitoring_agent-{agent}.log", "")


# --------------------------------------------------------------------------------------------
# podman: rootless podman (systemd driver, crun's "container" sub-cgroup) and its conmon
# --------------------------------------------------------------------------------------------


def podman() -> None:
    t = Tree("podman")
    pg = hex_id("podman/pg-dev")
    user = "/user.slice/user-1000.slice/user@1000.service"
    scope = f"{user}/user.slice/libpod-{pg}.scope"
    conmon_scope = f"{user}/user.slice/libpod-conmon-{pg}.scope"
    procs = [
        systemd_init(),
        *kthreads(),
        Proc(1100, "systemd", 1, 2210, ["/usr/lib/systemd/systemd", "--user"], size=5321,
             rss=2730, shared=1980, uid=1000, cgroups={"": f"{user}/init.scope"}),
        Proc(2300, "conmon", 1100, 9020,
             ["/usr/bin/conmon", "--api-version", "1", "-c", pg, "-u", pg, "-r", "/usr/bin/crun",
              "-b", f"/home/dev/.local/share/containers/storage/overlay-containers/{pg}/userdata",
              "-p", f"/run/user/1000/containers/overlay-containers/{pg}/userdata/pidfile",
              "-n", "pg-dev", "--exit-dir", "/run/user/1000/libpod/tmp/exits"],
             size=19980, rss=410, shared=380, uid=1000, cgroups={"": conmon_scope}),
        Proc(2310, "postgres", 2300, 9041, ["postgres"], size=55012, rss=7424, shared=6120,
             uid=100998, cgroups={"": f"{scope}/container"}, nspid=1),
        Proc(2330, "postgres", 2310, 9060, b"postgres: checkpointer \0", size=55100, rss=3072,
             shared=2900, uid=100998, cgroups={"": f"{scope}/container"}, nspid=26),
        Proc(2331, "postgres", 2310, 9060, b"postgres: background writer \0", size=55100,
             rss=2304, shared=2200, uid=100998, cgroups={"": f"{scope}/container"}, nspid=27),
    ]
    t.host("dev-laptop", "6.9.7-200.fc40.x86_64", 1794931200, 8,
           (32617332, 20120332, 26839020, 6012044), v2_mountinfo("/dev/nvme0n1p3"))
    finish(t, procs)
    t.write("proc/2310/root/etc/hostname", "pg-dev\n")
    # Rootless podman's run root (conmon's -p above): the state that verifies the container.
    t.write(f"run/user/1000/containers/overlay-containers/{pg}/userdata/pidfile", "2310")

    v2_root(t)
    parents(t, "/user.slice", "/user.slice/user-1000.slice", user, f"{user}/user.slice", scope)
    v2_group(t, "/init.scope", 13172736)
    v2_group(t, f"{user}/init.scope", 8388608)
    v2_group(t, conmon_scope, 1130496)
    # The scope's own files (its limit, set by --memory 1g) and the crun sub-cgroup's.
    v2_group(t, scope, 63963136, 1073741824, pids=9)
    v2_group(t, f"{scope}/container", 63963136, pids=9)


# --------------------------------------------------------------------------------------------
# lxc: LXC 5 on cgroup v2 (lxc.payload.<name>, lxc.monitor.<name>), systemd inside
# --------------------------------------------------------------------------------------------


def lxc() -> None:
    t = Tree("lxc")
    payload = "/lxc.payload.web01"
    procs = [
        systemd_init(),
        *kthreads(),
        Proc(900, "lxc-start", 1, 3020, b"[lxc monitor] /var/lib/lxc web01\0", size=2012,
             rss=310, shared=280, cgroups={"": "/lxc.monitor.web01"}),
        Proc(910, "systemd", 900, 3041, ["/sbin/init"], size=5400, rss=2910, shared=1990,
             cgroups={"": f"{payload}/init.scope"}, nspid=1),
        Proc(960, "systemd-journal", 910, 3102, ["/lib/systemd/systemd-journald"], size=8120,
             rss=3400, shared=3100,
             cgroups={"": f"{payload}/system.slice/systemd-journald.service"},
             nspid=48),
        Proc(1010, "nginx", 910, 3240, b"nginx: master process /usr/sbin/nginx -g daemon on; "
                                       b"master_process on;\0",
             size=2801, rss=1450, shared=1190,
             cgroups={"": f"{payload}/system.slice/nginx.service"},
             nspid=112),
        Proc(1011, "nginx", 1010, 3241, b"nginx: worker process" + b"\0" * 40, size=2901,
             rss=820, shared=610, uid=33, cgroups={"": f"{payload}/system.slice/nginx.service"},
             nspid=113),
    ]
    t.host("lxhost", "5.15.0-119-generic", 1794931200, 4, (16374356, 9120332, 12839020, 3012044),
           v2_mountinfo("/dev/sda2"))
    finish(t, procs)
    t.write("proc/910/root/etc/hostname", "web01\n")
    t.write("var/lib/lxc/web01/config", "lxc.uts.name = web01\nlxc.rootfs.path = "
            "dir:/var/lib/lxc/web01/rootfs\n")

    v2_root(t)
    parents(t, f"{payload}/system.slice")
    v2_group(t, "/init.scope", 13172736)
    v2_group(t, "/lxc.monitor.web01", 1310720)
    # The payload cgroup holds no process itself (systemd inside made sub-cgroups).
    v2_group(t, payload, 157286400, 2147483648, pids=23)
    v2_group(t, f"{payload}/init.scope", 12582912)
    v2_group(t, f"{payload}/system.slice/systemd-journald.service", 25165824)
    v2_group(t, f"{payload}/system.slice/nginx.service", 9437184, pids=2)


# --------------------------------------------------------------------------------------------
# nspawn: systemd-nspawn machine "my-box" (machine-my\x2dbox.scope, supervisor/payload split)
# --------------------------------------------------------------------------------------------


def nspawn() -> None:
    t = Tree("nspawn")
    scope = "/machine.slice/machine-my\\x2dbox.scope"
    procs = [
        systemd_init(),
        *kthreads(),
        Proc(410, "systemd-machine", 1, 1020, ["/usr/lib/systemd/systemd-machined"], size=4410,
             rss=1620, shared=1400, cgroups={"": "/system.slice/systemd-machined.service"}),
        # The nspawn process itself sits in the scope's "supervisor" sub-cgroup: not the machine.
        Proc(1200, "systemd-nspawn", 1, 4020,
             ["/usr/bin/systemd-nspawn", "--quiet", "--boot", "--link-journal=try-guest",
              "--network-veth", "-U", "--settings=override", "--machine=my-box"],
             size=6020, rss=1880, shared=1500, cgroups={"": f"{scope}/supervisor"}),
        Proc(1210, "systemd", 1200, 4051, ["/usr/lib/systemd/systemd"], size=5400, rss=2910,
             shared=1990, uid=1879048192, cgroups={"": f"{scope}/payload/init.scope"}, nspid=1),
        Proc(1250, "sshd", 1210, 4410, b"sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups\0",
             size=3810, rss=1540, shared=1320, uid=1879048192,
             cgroups={"": f"{scope}/payload/system.slice/ssh.service"}, nspid=71),
    ]
    t.host("workstation", "6.10.6-arch1-1", 1794931200, 8, (32617332, 24120332, 28839020, 4012044),
           v2_mountinfo("/dev/nvme0n1p2"))
    finish(t, procs)
    t.write("proc/1210/root/etc/hostname", "my-box\n")
    # systemd-machined's registration of the machine.
    t.write("run/systemd/machines/my-box", "NAME=my-box\nSCOPE=machine-my\\x2dbox.scope\n"
            "CLASS=container\nLEADER=1210\n")

    v2_root(t)
    parents(t, "/system.slice", "/machine.slice", f"{scope}/payload",
            f"{scope}/payload/system.slice")
    v2_group(t, "/init.scope", 13172736)
    v2_group(t, "/system.slice/systemd-machined.service", 3145728)
    v2_group(t, scope, 48234496, pids=11)
    v2_group(t, f"{scope}/supervisor", 2097152)
    v2_group(t, f"{scope}/payload/init.scope", 14680064)
    v2_group(t, f"{scope}/payload/system.slice/ssh.service", 5242880)


# --------------------------------------------------------------------------------------------
# docker-systemd: Docker (systemd driver) with its state files; one container restart-looping
# --------------------------------------------------------------------------------------------

BTIME_DOCKER = 1794931200  # 2026-11-17T16:00:00Z


def docker_time(seconds_after_boot: int, nanos: int) -> str:
    import datetime
    t = datetime.datetime.fromtimestamp(BTIME_DOCKER + seconds_after_boot, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def docker_files(t: Tree, cid: str, name: str, image: str, path: str, args: list, state: dict,
                 restart_count: int, memory: int, policy: str) -> None:
    """config.v2.json and hostconfig.json as dockerd writes them (one line, compact)."""
    d = f"var/lib/docker/containers/{cid}/"
    config = {
        "StreamConfig": {},
        "State": {"Running": state["running"], "Paused": False,
                  "Restarting": state["restarting"], "OOMKilled": False,
                  "RemovalInProgress": False, "Dead": False, "Pid": state["pid"],
                  "ExitCode": state["exit"], "Error": "", "StartedAt": state["started"],
                  "FinishedAt": state["finished"], "Health": None},
        "ID": cid, "Created": docker_time(1500, 418273645), "Managed": False, "Path": path,
        "Args": args,
        "Config": {"Hostname": cid[:12], "Domainname": "", "User": "", "AttachStdin": False,
                   "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": args, "Image": image,
                   "Labels": {"com.docker.compose.project": "shop",
                              "com.docker.compose.service": name}},
        "Image": "sha256:" + hex_id("docker-systemd/image/" + image),
        "NetworkSettings": {"Bridge": "", "SandboxID": hex_id("sandbox/" + name), "Networks": {}},
        "LogPath": f"/var/lib/docker/containers/{cid}/{cid}-json.log",
        "Name": "/" + name, "Driver": "overlay2", "OS": "linux", "RestartCount": restart_count,
        "HasBeenStartedBefore": True, "HasBeenManuallyStopped": False, "MountPoints": {},
        "AppArmorProfile": "docker-default", "SeccompProfile": "", "NoNewPrivileges": False,
    }
    hostconfig = {
        "Binds": None, "ContainerIDFile": "", "LogConfig": {"Type": "json-file", "Config": {}},
        "NetworkMode": "bridge", "PortBindings": {},
        "RestartPolicy": {"Name": policy, "MaximumRetryCount": 0}, "AutoRemove": False,
        "CgroupnsMode": "private", "ShmSize": 67108864, "Runtime": "runc", "CpuShares": 0,
        "Memory": memory, "NanoCpus": 0, "CgroupParent": "", "MemoryReservation": 0,
        "MemorySwap": memory * 2 if memory else 0, "PidsLimit": None, "OomKillDisable": None,
    }
    t.write(d + "config.v2.json", json.dumps(config, separators=(",", ":")))
    t.write(d + "hostconfig.json", json.dumps(hostconfig, separators=(",", ":")))
    t.write(d + "hostname", cid[:12] + "\n")


def docker_systemd() -> None:
    t = Tree("docker-systemd")
    web = hex_id("docker-systemd/web")
    worker = hex_id("docker-systemd/worker")
    web_scope = f"/system.slice/docker-{web}.scope"
    procs = [
        systemd_init(),
        *kthreads(),
        *docker_daemons("--containerd=/run/containerd/containerd.sock"),
        shim(1390, 150210, "moby", web),
        Proc(1410, "nginx", 1390, 150231, b"nginx: master process nginx -g daemon off;\0",
             size=2801, rss=1450, shared=1190, cgroups={"": web_scope}, nspid=1),
        Proc(1440, "nginx", 1410, 150290, b"nginx: worker process" + b"\0" * 22, size=2901,
             rss=820, shared=610, uid=101, cgroups={"": web_scope}, nspid=29),
        Proc(1441, "nginx", 1410, 150290, b"nginx: worker process" + b"\0" * 22, size=2901,
             rss=812, shared=610, uid=101, cgroups={"": web_scope}, nspid=30),
    ]
    t.host("shop-01", "6.1.0-27-amd64", BTIME_DOCKER, 4, (8139464, 3410220, 5512344, 2614280),
           v2_mountinfo("/dev/vda1"))
    finish(t, procs)

    v2_root(t)
    parents(t, "/system.slice")
    v2_group(t, "/init.scope", 13172736)
    v2_group(t, "/system.slice/containerd.service", 187236352, pids=27)
    v2_group(t, "/system.slice/docker.service", 104857600, pids=20)
    # Docker writes --memory 512m to memory.max.
    v2_group(t, web_scope, 25165824, 536870912, pids=3, pids_max=4096)

    docker_files(t, web, "web", "nginx:1.27", "/docker-entrypoint.sh",
                 ["nginx", "-g", "daemon off;"],
                 {"running": True, "restarting": False, "pid": 1410, "exit": 0,
                  "started": docker_time(1502, 118645127), "finished": "0001-01-01T00:00:00Z"},
                 0, 536870912, "unless-stopped")
    # Restart-looping: Docker keeps Running and Restarting set and Pid 0 between two attempts;
    # no process and no cgroup exist right now.
    docker_files(t, worker, "worker", "shop/worker:1.4", "python3", ["-m", "worker"],
                 {"running": True, "restarting": True, "pid": 0, "exit": 1,
                  "started": docker_time(7210, 90215573), "finished": docker_time(7213, 4410022)},
                 37, 0, "always")


def main() -> None:
    k8s_containerd()
    crio()
    podman()
    lxc()
    nspawn()
    docker_systemd()


if __name__ == "__main__":
    main()
