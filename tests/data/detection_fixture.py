# SPDX-License-Identifier: Apache-2.0
"""The `detection` fixture tree: issue 15's shapes inside containers and host services.

A cgroup-v2 host (systemd driver) running Docker, rootful podman and a Kubernetes node side by
side, where each container (and two host services) holds one shape the detector must tell apart:

| container / cgroup          | init                      | shape                                   |
|-----------------------------|---------------------------|-----------------------------------------|
| docker `gateway`            | tini                      | restarted gateway: 2 orphans + 3 live   |
| docker `appinit`            | node server.js (the app)  | the init itself leaks 3 tool copies     |
| docker `clients`            | sleep infinity            | 3 `docker exec -it` clients, one srv-a  |
|                             |                           | and one srv-b each                      |
| docker `jobs`               | sh -c 'w & w & wait'      | the shell's own batch of 2 workers      |
| podman `ingest`             | catatonit                 | 3 copies whose spawner died             |
| k8s `sessions` (containerd) | python3 sup.py (the app)  | a new server every 2 s, 4 kept          |
| agent-a / agent-b.service   | -                         | one job per agent, same command         |
| legacy.service              | -                         | 3 workers left by a dead start script   |
| session-1.scope             | -                         | tmux with 3 terminal shells             |

Run by make_fixtures.py; the expectations are in tests/cli/detection_fixture_test.cc.
"""

from make_fixtures import Proc, Tree, containerd_task, hex_id
from runtime_fixtures import (docker_daemons, docker_files, docker_time, kthreads, parents, shim,
                              systemd_init, v2_group, v2_mountinfo, v2_root)

HZ = 100
MIB = 1024 * 1024
BASE = 10_000  # seconds after boot when the shapes begin
NPX = "/root/.npm/_npx"

GATEWAY = hex_id("detection/gateway")
APPINIT = hex_id("detection/appinit")
CLIENTS = hex_id("detection/clients")
JOBS = hex_id("detection/jobs")
INGEST = hex_id("detection/ingest")
SESSIONS = hex_id("detection/sessions")
POD_UID = "4b1e9c2d-7a3f-4e58-b6d0-2c9f81a7e345"
POD = (f"/kubepods.slice/kubepods-burstable.slice/"
       f"kubepods-burstable-pod{POD_UID.replace('-', '_')}.slice")

DEAD_GATEWAY, DEAD_GATEWAY_NSPID = 1015, 7  # the gateway's first instance
DEAD_SPAWNER, DEAD_SPAWNER_NSPID = 5050, 3  # what started podman's ingest copies
DEAD_SCRIPT = 7190                         # the start script of legacy.service


def docker_scope(cid: str) -> dict:
    return {"": f"/system.slice/docker-{cid}.scope"}


def ticks(seconds: float) -> int:
    return int(round(seconds * HZ))


def npm_chain(pid: int, parent: int, server: str, start: int, cg: dict, nspid: int,
              **ids) -> list:
    """`npm exec SERVER` -> `sh -c SERVER` -> `node SERVER`; its exec took 12 s under load."""
    cache = f"{NPX}/{hex_id(server, 16)}/node_modules/.bin/{server}"
    return [
        Proc(pid, "npm exec " + server[:6], parent, start, [f"npm exec {server}"], threads=11,
             size=268800, rss=19200, shared=7900, cgroups=cg, nspid=nspid, **ids),
        Proc(pid + 1, "sh", pid, start + ticks(12), ["sh", "-c", server], size=625, rss=250,
             shared=220, cgroups=cg, nspid=nspid + 1),
        Proc(pid + 2, "node", pid + 1, start + ticks(12.2), ["node", cache], threads=7,
             size=253400, rss=12800, shared=7400, cgroups=cg, nspid=nspid + 2),
    ]


def gateway() -> list:
    cg = docker_scope(GATEWAY)
    t0 = ticks(BASE)
    procs = [
        shim(1000, t0 - 30, "moby", GATEWAY),
        Proc(1010, "tini", 1000, t0, ["/sbin/tini", "--", "node", "/app/gateway.js"], size=600,
             rss=190, shared=150, cgroups=cg, nspid=1),
        # The second instance, started after the first died.
        Proc(1020, "node", 1010, t0 + ticks(3000), ["node", "/app/gateway.js"], threads=11,
             size=281600, rss=24576, shared=7680, cgroups=cg, nspid=8),
    ]
    for i in range(2):  # left by the first instance: its group, tini's session
        procs += npm_chain(1100 + 3 * i, 1010, "srv-a", t0 + ticks(60 + 1800 * i), cg, 20 + 3 * i,
                           pgid=DEAD_GATEWAY, sid=1010)
    for i in range(3):
        procs += npm_chain(1200 + 3 * i, 1020, "srv-a", t0 + ticks(3600 + 1800 * i), cg,
                           40 + 3 * i)
    return procs


def appinit() -> list:
    cg = docker_scope(APPINIT)
    t0 = ticks(BASE)
    procs = [
        shim(2000, t0 - 30, "moby", APPINIT),
        Proc(2010, "node", 2000, t0, ["node", "/app/server.js"], threads=11, size=281600,
             rss=30720, shared=7680, cgroups=cg, nspid=1),
    ]
    for i in range(3):
        procs.append(Proc(2100 + i, "python3", 2010, t0 + ticks(600 * (i + 1)),
                          ["python3", "/app/tool.py", "--job", hex_id(f"job{i}", 16)],
                          size=6400, rss=3072, shared=1100, cgroups=cg, nspid=10 + i))
    return procs


def clients() -> list:
    """Three people each run a client with `docker exec -it`: the shim starts each in a session
    of its own on a terminal, and each client starts its own srv-a and srv-b."""
    cg = docker_scope(CLIENTS)
    t0 = ticks(BASE)
    procs = [
        shim(3000, t0 - 30, "moby", CLIENTS),
        Proc(3010, "sleep", 3000, t0, ["sleep", "infinity"], size=600, rss=190, shared=150,
             cgroups=cg, nspid=1),
    ]
    for i in range(3):
        client = 3100 + 100 * i
        start = t0 + ticks(5 + 900 * i)
        procs.append(Proc(client, "node", 3000, start, ["node", "/app/client.js"], threads=11,
                          size=281600, rss=20480, shared=7680, cgroups=cg, nspid=10 + 10 * i,
                          pgid=client, sid=client, tty=34816 + i, tpgid=client))
        procs += npm_chain(client + 10, client, "srv-a", start + ticks(2), cg, 11 + 10 * i)
        procs += npm_chain(client + 20, client, "srv-b", start + ticks(3), cg, 14 + 10 * i)
    return procs


def jobs() -> list:
    cg = docker_scope(JOBS)
    t0 = ticks(BASE)
    script = "python3 /app/worker.py & python3 /app/worker.py & wait"
    procs = [
        shim(4000, t0 - 30, "moby", JOBS),
        Proc(4010, "sh", 4000, t0, ["sh", "-c", script], size=625, rss=250, shared=220,
             cgroups=cg, nspid=1),
    ]
    for i in range(2):  # the shell's own jobs, in the group it leads
        procs.append(Proc(4020 + i, "python3", 4010, t0 + 1 + i, ["python3", "/app/worker.py"],
                          size=6400, rss=4096, shared=1100, cgroups=cg, nspid=2 + i))
    return procs


def ingest() -> tuple:
    scope = f"/machine.slice/libpod-{INGEST}.scope"
    cg = {"": f"{scope}/container"}
    t0 = ticks(BASE)
    procs = [
        Proc(5000, "conmon", 1, t0 - 20,
             ["/usr/bin/conmon", "--api-version", "1", "-c", INGEST, "-u", INGEST, "-r",
              "/usr/bin/crun", "-n", "ingest"], size=19980, rss=410, shared=380,
             cgroups={"": f"/machine.slice/libpod-conmon-{INGEST}.scope"}),
        Proc(5010, "catatonit", 5000, t0, ["/catatonit", "-P"], size=300, rss=100, shared=90,
             cgroups=cg, nspid=1),
    ]
    for i in range(3):  # their spawner (container pid 3) died; catatonit adopted them
        procs.append(Proc(5100 + i, "python3", 5010, t0 + ticks(300 * (i + 1)),
                          ["python3", "/srv/ingest.py"], size=6400, rss=5120, shared=1100,
                          cgroups=cg, nspid=4 + i, pgid=DEAD_SPAWNER, sid=5010))
    return procs, scope


def sessions() -> tuple:
    cid = SESSIONS
    scope = f"{POD}/cri-containerd-{cid}.scope"
    cg = {"": scope}
    t0 = ticks(BASE)
    procs = [
        shim(6000, t0 - 30, "k8s.io", cid),
        Proc(6010, "python3", 6000, t0, ["python3", "/srv/sup.py"], size=7200, rss=4096,
             shared=1100, cgroups=cg, nspid=1),
    ]
    for i in range(4):
        uuid = f"8f14e45f-ceea-467f-a8f5-{i:012d}"
        procs.append(Proc(6100 + i, "python3", 6010, t0 + ticks(30 + 2 * i),
                          ["python3", "/srv/server.py", "--session", uuid], size=7200,
                          rss=6144, shared=1100, cgroups=cg, nspid=2 + i))
    return procs, scope


def host() -> list:
    t0 = ticks(BASE)
    agent = {n: {"": f"/system.slice/agent-{n}.service"} for n in "ab"}
    legacy = {"": "/system.slice/legacy.service"}
    session = {"": "/user.slice/user-0.slice/session-1.scope"}
    procs = [
        *docker_daemons(),
    ]
    for i, n in enumerate("ab"):  # one job per agent: the same command in two services
        pid = 7000 + 100 * i
        procs.append(Proc(pid, "node", 1, t0 + i, ["node", "/opt/agent.js"], threads=11,
                          size=281600, rss=20480, shared=7680, cgroups=agent[n]))
        procs.append(Proc(pid + 1, "python3", pid, t0 + ticks(60 + 60 * i),
                          ["python3", "/opt/job.py"], size=6400, rss=3072, shared=1100,
                          cgroups=agent[n]))
    for i in range(3):  # the unit's start script started them and exited
        procs.append(Proc(7200 + i, "python3", 1, t0 + ticks(60 * i),
                          ["python3", "/opt/legacy-worker.py"], size=6400, rss=8192,
                          shared=1100, cgroups=legacy, pgid=DEAD_SCRIPT, sid=DEAD_SCRIPT))
    procs.append(Proc(7300, "tmux: server", 1, t0, ["tmux", "new-session", "-d"], size=2600,
                      rss=900, shared=600, cgroups=session))
    for i in range(3):  # one window after another: each shell leads its session on its pty
        pid = 7310 + 10 * i
        procs.append(Proc(pid, "bash", 7300, t0 + ticks(120 * (i + 1)), ["-bash"], size=2300,
                          rss=1300, shared=900, cgroups=session, pgid=pid, sid=pid,
                          tty=34816 + i, tpgid=pid))
    return procs


def detection() -> None:
    t = Tree("detection")
    ingest_procs, ingest_scope = ingest()
    session_procs, session_scope = sessions()
    procs = ([systemd_init(), *kthreads()] + host() + gateway() + appinit() + clients() + jobs() +
             ingest_procs + session_procs)
    t.host("detect-01", "6.1.0-27-amd64", 1794931200, 4, (32617332, 20120332, 26839020, 6012044),
           v2_mountinfo("/dev/vda1"))
    t.processes(procs, [(0, "", "")], kthread_line=False,
                dead={DEAD_GATEWAY: (1010, DEAD_GATEWAY_NSPID),
                      DEAD_SPAWNER: (5010, DEAD_SPAWNER_NSPID)})
    t.procs_files("sys/fs/cgroup", "", procs)
    # The state that verifies the podman and Kubernetes containers (no kubelet log links here).
    t.write(f"var/lib/containers/storage/overlay-containers/{INGEST}/userdata/config.json",
            '{"ociVersion": "1.0.2"}\n')
    containerd_task(t, "k8s.io", SESSIONS)

    v2_root(t)
    parents(t, "/system.slice", "/machine.slice", ingest_scope, "/kubepods.slice",
            "/kubepods.slice/kubepods-burstable.slice", POD, "/user.slice",
            "/user.slice/user-0.slice")
    v2_group(t, "/init.scope", 13172736)
    for unit in ("containerd.service", "docker.service", "agent-a.service", "agent-b.service",
                 "legacy.service"):
        v2_group(t, f"/system.slice/{unit}", 52428800, pids=4)
    for cid in (GATEWAY, APPINIT, CLIENTS, JOBS):
        v2_group(t, f"/system.slice/docker-{cid}.scope", 734003200, pids=40)
    v2_group(t, f"/machine.slice/libpod-conmon-{INGEST}.scope", 1130496)
    v2_group(t, f"{ingest_scope}/container", 62914560, pids=4)
    v2_group(t, session_scope, 83886080, pids=5)
    v2_group(t, "/user.slice/user-0.slice/session-1.scope", 12582912, pids=4)

    started = docker_time(BASE, 118645127)
    for cid, name, init, path, args in (
            (GATEWAY, "gateway", 1010, "/sbin/tini", ["--", "node", "/app/gateway.js"]),
            (APPINIT, "appinit", 2010, "node", ["/app/server.js"]),
            (CLIENTS, "clients", 3010, "sleep", ["infinity"]),
            (JOBS, "jobs", 4010, "sh", ["-c", "python3 /app/worker.py & python3 /app/worker.py &"
                                              " wait"])):
        docker_files(t, cid, name, f"detection/{name}:1", path, args,
                     {"running": True, "restarting": False, "pid": init, "exit": 0,
                      "started": started, "finished": "0001-01-01T00:00:00Z"}, 0, 0, "always")


if __name__ == "__main__":
    detection()
