"""The `incident` fixture tree: the host procleak exists for (see DEVELOPERS.md, issue 4).

A 121 GiB cgroup-v2 Docker host (systemd driver). Container `mcp-hub` has no memory limit and runs
tini -> `node /app/gateway.js`, which starts nine MCP servers through `npx` on every 30-minute
cycle and never stops the old ones: 203 `npm exec <pkg>` -> `sh -c <bin>` -> `node <bin>` chains
(406 npm/node processes) where nine belong. The gateway was restarted once; the copies its first
instance started are orphaned to tini. Beside it: `web` (nginx master + 4 workers forked
together, 512 MiB limit), `db` (postgres with its background processes, 2 GiB limit) and
`worker`, restart-looping (RestartCount 37, no process right now, no limit).

Run by make_fixtures.py (or alone); the numbers are asserted in tests/cli/incident_test.cc.
"""

import json

from make_fixtures import Proc, Tree, hex_id, pressure, v2_memory_stat, write_v2_cgroup
from runtime_fixtures import v2_mountinfo

BTIME = 1794981600  # 2026-11-18T06:00:00Z
HZ = 100
MIB = 1024 * 1024

# (package as the spawner names it, bin name, copies). Sum of copies: 203.
SERVERS = [
    ("@modelcontextprotocol/server-filesystem", "mcp-server-filesystem", 24),
    ("@modelcontextprotocol/server-github", "mcp-server-github", 23),
    ("@modelcontextprotocol/server-memory", "mcp-server-memory", 23),
    ("@modelcontextprotocol/server-puppeteer", "mcp-server-puppeteer", 23),
    ("@modelcontextprotocol/server-sequential-thinking", "mcp-server-sequential-thinking", 22),
    ("@modelcontextprotocol/server-brave-search", "mcp-server-brave-search", 22),
    ("@upstash/context7-mcp@latest", "context7-mcp", 22),
    ("@playwright/mcp@0.0.29", "mcp-server-playwright", 22),
    ("tavily-mcp@0.2.1", "tavily-mcp", 22),
]
CYCLES = 24
CYCLE_SECONDS = 1800
HUB_START = 27 * 3600  # container started 27 h after boot (2026-11-19T09:00:00Z)
FIRST_CYCLE = HUB_START + 60
ORPHANED_CYCLES = 8  # cycles 0..7 were started by the gateway instance that died
# That instance: its host pid (gone, absent from the tree) and its pid in the container. Its
# copies keep the process group it led (tini made it one) in tini's session.
DEAD_GATEWAY_PID, DEAD_GATEWAY_NSPID = 2005, 7
NPX_CACHE = "/root/.npm/_npx"

MCP_HUB = hex_id("incident/mcp-hub")
WEB = hex_id("incident/web")
DB = hex_id("incident/db")
WORKER = hex_id("incident/worker")


def scope(cid: str) -> str:
    return f"/system.slice/docker-{cid}.scope"


def pages(nbytes: int) -> int:
    return nbytes // 4096


def npm_argv(pkg: str, cycle: int) -> list:
    """npm rewrites its title to one argument; a few copies still show the original argv."""
    if cycle % 6 == 5:
        return ["npm", "exec", "--yes", "--", pkg]
    return [f"npm exec {pkg}"]


def mcp_chains(first_pid: int, init_pid: int, gateway_pid: int):
    """203 chains in start order. Returns the processes and the smaps_rollup Pss per pid."""
    procs, pss = [], {}
    chains = []
    for cycle in range(CYCLES):
        for kind, (pkg, binary, copies) in enumerate(SERVERS):
            if cycle >= copies:
                continue
            chains.append((FIRST_CYCLE + cycle * CYCLE_SECONDS + kind * 2, cycle, kind))
    chains.sort()
    cg = {"": scope(MCP_HUB)}
    pid = first_pid
    for n, (start_s, cycle, kind) in enumerate(chains):
        pkg, binary, _ = SERVERS[kind]
        start = start_s * HZ
        orphaned = cycle < ORPHANED_CYCLES
        spawner = init_pid if orphaned else gateway_pid
        # Orphaned copies: the dead instance's group; live ones inherit the gateway's.
        group = {"pgid": DEAD_GATEWAY_PID, "sid": init_pid} if orphaned else {}
        cache = f"{NPX_CACHE}/{hex_id(pkg, 16)}/node_modules/.bin/{binary}"
        npm_rss = (75 + (n * 7) % 6) * MIB  # 75-80 MiB
        node_rss = (40 + (n * 11) % 26) * MIB  # 40-65 MiB
        sh_rss = 1008 * 1024
        procs += [
            Proc(pid, ("npm exec " + pkg)[:15], spawner, start, npm_argv(pkg, cycle), threads=11,
                 size=pages(1050 * MIB), rss=pages(npm_rss), shared=pages(31 * MIB), cgroups=cg,
                 nspid=pid - first_pid + 40, **group),
            Proc(pid + 1, "sh", pid, start + 31, ["sh", "-c", binary], size=pages(2500 * 1024),
                 rss=pages(sh_rss), shared=pages(880 * 1024), cgroups=cg,
                 nspid=pid - first_pid + 41),
            Proc(pid + 2, "node", pid + 1, start + 33, ["node", cache], threads=7,
                 size=pages(990 * MIB), rss=pages(node_rss), shared=pages(29 * MIB), cgroups=cg,
                 nspid=pid - first_pid + 42),
        ]
        # Pss: private pages plus an equal share of the node binary and libraries.
        pss[pid] = npm_rss - 27 * MIB
        pss[pid + 1] = sh_rss - 700 * 1024
        pss[pid + 2] = node_rss - 25 * MIB
        pid += 3
    return procs, pss


def processes():
    web, db, hub = {"": scope(WEB)}, {"": scope(DB)}, {"": scope(MCP_HUB)}
    host = [
        Proc(1, "systemd", 0, 3, ["/sbin/init"], size=5689, rss=3258, shared=2101,
             cgroups={"": "/init.scope"}),
        Proc(2, "kthreadd", 0, 3, kind="kthread", cgroups={"": "/"}),
        Proc(16, "kworker/0:1-events", 2, 40, kind="kworker", state="I", cgroups={"": "/"}),
        Proc(512, "sshd", 1, 700, ["sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"],
             size=3801, rss=2210, shared=1800, cgroups={"": "/system.slice/ssh.service"}),
        Proc(655, "containerd", 1, 812, ["/usr/bin/containerd"], threads=14, size=473210,
             rss=11830, shared=6710, cgroups={"": "/system.slice/containerd.service"}),
        Proc(712, "dockerd", 1, 951, ["/usr/bin/dockerd", "-H", "fd://",
                                      "--containerd=/run/containerd/containerd.sock"],
             threads=20, size=611300, rss=20011, shared=8830,
             cgroups={"": "/system.slice/docker.service"}),
    ]
    shim = lambda pid, cid, start: Proc(  # noqa: E731
        pid, "containerd-shim", 1, start,
        ["/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", cid, "-address",
         "/run/containerd/containerd.sock"], threads=12, size=309112, rss=2843, shared=1520,
        cgroups={"": "/system.slice/containerd.service"})
    t_web, t_db = 1200 * HZ, 1300 * HZ
    containers = [
        shim(1400, WEB, t_web - 20),
        Proc(1420, "nginx", 1400, t_web, b"nginx: master process nginx -g daemon off;\0",
             size=2801, rss=1450, shared=1190, cgroups=web, nspid=1),
    ] + [
        Proc(1421 + i, "nginx", 1420, t_web + 9, b"nginx: worker process\0", size=2901,
             rss=2100 + i * 13, shared=610, uid=101, cgroups=web, nspid=29 + i)
        for i in range(4)
    ] + [
        shim(1500, DB, t_db - 20),
        Proc(1520, "postgres", 1500, t_db, ["postgres"], size=55201, rss=7210, shared=6900,
             uid=999, cgroups=db, nspid=1),
    ] + [
        Proc(1521 + i, "postgres", 1520, t_db + 40, [f"postgres: {name} "], size=55300,
             rss=1400 + i * 100, shared=1300, uid=999, cgroups=db, nspid=60 + i)
        for i, name in enumerate(["checkpointer", "background writer", "walwriter",
                                  "autovacuum launcher", "logical replication launcher"])
    ] + [
        Proc(1530 + i, "postgres", 1520, t_db + 3600 * (i + 1),
             [f"postgres: app appdb 172.18.0.{5 + i}(5{1234 + i * 7}) idle"], size=56000,
             rss=3100 + i * 211, shared=2900, uid=999, cgroups=db, nspid=90 + i)
        for i in range(3)
    ] + [
        shim(1900, MCP_HUB, HUB_START * HZ - 20),
        Proc(2000, "tini", 1900, HUB_START * HZ, ["/usr/bin/tini", "--", "node",
                                                  "/app/gateway.js"],
             size=600, rss=190, shared=150, cgroups=hub, nspid=1),
        # The gateway's first instance (host pid 2005, container pid 7) died after cycle 7; this
        # is the second. tini made each its own process group.
        Proc(2010, "node", 2000, (FIRST_CYCLE + ORPHANED_CYCLES * CYCLE_SECONDS - 30) * HZ,
             ["node", "/app/gateway.js"], threads=11, size=pages(1100 * MIB),
             rss=pages(96 * MIB), shared=pages(30 * MIB), cgroups=hub, nspid=31),
    ]
    chains, pss = mcp_chains(3000, 2000, 2010)
    return host + containers + chains, pss


def smaps_rollup(rss: int, pss: int) -> str:
    kb = lambda n: f"{n // 1024:>8} kB"  # noqa: E731
    anon = pss * 3 // 4
    rows = [("Rss", rss), ("Pss", pss), ("Pss_Dirty", anon), ("Pss_Anon", anon),
            ("Pss_File", pss - anon), ("Pss_Shmem", 0), ("Shared_Clean", rss - pss),
            ("Shared_Dirty", 0), ("Private_Clean", pss - anon), ("Private_Dirty", anon),
            ("Referenced", rss), ("Anonymous", anon), ("KSM", 0), ("LazyFree", 0),
            ("AnonHugePages", 0), ("ShmemPmdMapped", 0), ("FilePmdMapped", 0),
            ("Shared_Hugetlb", 0), ("Private_Hugetlb", 0), ("Swap", 0), ("SwapPss", 0),
            ("Locked", 0)]
    return ("55d0c1a2e000-7ffd8a9f1000 ---p 00000000 00:00 0                          "
            "[rollup]\n" + "".join(f"{k + ':':<16}{kb(v)}\n" for k, v in rows))


def iso(seconds_after_boot: int) -> str:
    import datetime
    t = datetime.datetime.fromtimestamp(BTIME + seconds_after_boot, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".123456789Z"


def docker_state(t: Tree, cid: str, name: str, state: dict, restart_count: int,
                 memory: int, policy: str) -> None:
    d = f"var/lib/docker/containers/{cid}/"
    config = {
        "StreamConfig": {},
        "State": {"Running": state.get("running", False), "Paused": False,
                  "Restarting": state.get("restarting", False), "OOMKilled": False,
                  "RemovalInProgress": False, "Dead": False, "Pid": state.get("pid", 0),
                  "ExitCode": state.get("exit", 0), "Error": "",
                  "StartedAt": state.get("started", "0001-01-01T00:00:00Z"),
                  "FinishedAt": state.get("finished", "0001-01-01T00:00:00Z"), "Health": None},
        "ID": cid, "Created": iso(1100), "Managed": False, "Path": state.get("path", "sh"),
        "Args": [], "Config": {"Hostname": cid[:12], "Domainname": "", "User": "",
                               "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/bin"],
                               "Image": state.get("image", "busybox"),
                               "Labels": {"com.docker.compose.service": name}},
        "Image": "sha256:" + hex_id("image/" + name), "Name": "/" + name,
        "RestartCount": restart_count, "Driver": "overlay2", "Platform": "linux",
        "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "docker-default",
        "HasBeenStartedBefore": True, "HasBeenManuallyStopped": False,
    }
    hostconfig = {
        "Binds": None, "ContainerIDFile": "", "LogConfig": {"Type": "json-file", "Config": {}},
        "NetworkMode": "bridge", "PortBindings": {},
        "RestartPolicy": {"Name": policy, "MaximumRetryCount": 0}, "AutoRemove": False,
        "CgroupnsMode": "private", "Memory": memory, "MemoryReservation": 0, "MemorySwap": 0,
        "NanoCpus": 0, "PidsLimit": None, "OomKillDisable": False,
    }
    t.write(d + "config.v2.json", json.dumps(config, separators=(",", ":")))
    t.write(d + "hostconfig.json", json.dumps(hostconfig, separators=(",", ":")))


def incident() -> None:
    t = Tree("incident")
    mountinfo = v2_mountinfo("/dev/nvme0n1p1", "612 25 0:55 / /var/lib/docker/overlay2/8c1e/merged rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/Q7,upperdir=/var/lib/docker/overlay2/8c1e/diff,workdir=/var/lib/docker/overlay2/8c1e/work\n")
    procs, pss = processes()
    # 121 GiB, 108 GiB in use.
    t.host("ai-host-01", "6.1.0-27-amd64", BTIME, 32,
           (126877696, 9437184, 13631488, 5242880), mountinfo)
    t.processes(procs, [(0, "", "")], kthread_line=False,
                dead={DEAD_GATEWAY_PID: (2000, DEAD_GATEWAY_NSPID)})
    by_pid = {p.pid: p for p in procs}
    for pid, value in pss.items():
        t.write(f"proc/{pid}/smaps_rollup", smaps_rollup(by_pid[pid].rss * 4096, value))

    cg = "sys/fs/cgroup"
    ctl = "cpuset cpu io memory hugetlb pids rdma misc\n"
    t.write(f"{cg}/cgroup.controllers", ctl)
    t.write(f"{cg}/memory.pressure", pressure((4.1, 3.6, 2.9, 98812331), (0.9, 0.7, 0.4, 20113)))

    def group(path, current, maximum, stat, psi, pids_current):
        write_v2_cgroup(t, path, current, maximum, current + 4 * MIB, (0, 0, 0, 0, 0),
                        v2_memory_stat(*stat), psi, pids_current, "max")

    quiet = ((0.0, 0.0, 0.0, 0), (0.0, 0.0, 0.0, 0))
    group("/init.scope", 13172736, "max", (4562944, 7208960, 1179648, 0, 5029888, 720896, 0),
          quiet, 1)
    group("/system.slice/ssh.service", 9437184, "max",
          (3145728, 5242880, 524288, 0, 2097152, 262144, 0), quiet, 1)
    group("/system.slice/containerd.service", 187236352, "max",
          (110100480, 72351744, 4784128, 0, 30408704, 2621440, 32768), quiet, 40)
    group("/system.slice/docker.service", 104857600, "max",
          (79691776, 22020096, 3145728, 0, 14680064, 1835008, 65536), quiet, 20)
    group(scope(WEB), 136314880, 536870912, (41943040, 88080384, 2097152, 0, 31457280, 1048576,
                                             0), quiet, 5)
    group(scope(DB), 1181116006, 2147483648,
          (314572800, 838860800, 16777216, 268435456, 251658240, 8388608, 0), quiet, 9)
    # The leak: 77.4 GiB charged, no limit, some memory pressure.
    group(scope(MCP_HUB), 83107364864, "max",
          (27917287424, 53687091200, 1073741824, 0, 6442450944, 402653184, 1048576),
          ((6.20, 4.85, 3.10, 771828191), (1.10, 0.90, 0.51, 90121113)), 612)
    t.write(f"{cg}/system.slice/cgroup.controllers", ctl)
    t.procs_files(cg, "", procs)

    docker_state(t, MCP_HUB, "mcp-hub", {"running": True, "pid": 2000, "started": iso(HUB_START),
                                         "path": "/usr/bin/tini", "image": "mcp-hub:2.3"},
                 0, 0, "unless-stopped")
    docker_state(t, WEB, "web", {"running": True, "pid": 1420, "started": iso(1200),
                                 "path": "nginx", "image": "nginx:1.27"},
                 0, 536870912, "always")
    docker_state(t, DB, "db", {"running": True, "pid": 1520, "started": iso(1300),
                               "path": "docker-entrypoint.sh", "image": "postgres:16"},
                 1, 2147483648, "always")
    docker_state(t, WORKER, "worker", {"restarting": True, "exit": 1,
                                       "started": iso(HUB_START + 14 * 3600),
                                       "finished": iso(HUB_START + 14 * 3600 + 3),
                                       "path": "python3", "image": "worker:1.4"},
                 37, 0, "always")


if __name__ == "__main__":
    incident()
