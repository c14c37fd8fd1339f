#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerates the fixture trees under tests/data/ (v1-docker, v2-systemd, hybrid).

Each tree is what `procleak scan --root TREE` reads in place of `/`: proc/ and sys/fs/cgroup/.
The shapes follow real hosts (see /work/shared/reference/proc-cgroup-formats.md and README.md
next to this script). Every number lives in the tables below, and the files are derived from
them, so stat, statm and status always agree (VmRSS = statm resident * 4 kB = stat rss).

Idempotent: each tree directory is removed and written again. The generated files are committed;
tests read the files, not this script. Run from anywhere: python3 tests/data/make_fixtures.py
"""

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_KB = 4  # 4096-byte pages
PF_KTHREAD_FLAGS = 2129984  # 0x208040: kthreadd and most kernel threads (PF_KTHREAD set)
KWORKER_FLAGS = 69238880  # 0x4208060: workqueue workers (PF_KTHREAD | PF_WQ_WORKER | ...)
USER_FLAGS = 4194560  # 0x400100: PF_RANDOMIZE | PF_SUPERPRIV
ZOMBIE_FLAGS = 4227084  # 0x40800c: PF_EXITING set
V1_UNLIMITED = "9223372036854771712"  # PAGE_COUNTER_MAX * 4096


def hex_id(label: str, length: int = 64) -> str:
    """A stable, realistic-looking container ID."""
    return hashlib.sha256(label.encode()).hexdigest()[:length]


@dataclass
class Proc:
    pid: int
    comm: str
    ppid: int
    start: int  # stat field 22, clock ticks after boot (CLK_TCK 100)
    argv: object = ()  # list of str (written NUL-terminated) or raw bytes (written verbatim)
    state: str = "S"
    kind: str = "user"  # user | kthread | kworker | zombie
    threads: int = 1
    size: int = 0  # statm size, pages
    rss: int = 0  # statm resident, pages
    shared: int = 0  # statm shared, pages
    uid: int = 0
    cgroups: dict = field(default_factory=dict)  # controller (or "" for v2) -> path
    nspid: Optional[int] = None  # pid inside the container's pid namespace
    # Process group and session (stat fields 5 and 6): derived by Ids unless given.
    pgid: Optional[int] = None
    sid: Optional[int] = None
    tty: Optional[int] = None  # controlling terminal's device number; inherited unless given
    tpgid: Optional[int] = None  # its foreground process group; inherited with the terminal


@dataclass
class Ids:
    """What stat fields 5-8 and status's NSpgid/NSsid say of one process."""
    pgid: int
    sid: int
    tty: int
    tpgid: int


GROUPING_INITS = ("tini", "docker-init")  # put their child in a process group of its own


def process_ids(procs) -> dict:
    """pid -> Ids, as a real host has them: a process keeps its parent's process group, session
    and terminal unless it leads a group or session of its own.

    Leaders: PID 1 (its own group and session); kernel threads (0, no session); a process started
    by the host's init or by a systemd (a service: systemd calls setsid, as daemons, sshd,
    containerd, its shims and conmon do themselves); a pid namespace's init (runc, crun and LXC
    call setsid for a container's first process). tini and docker-init put their child in a
    process group of its own, in their session. A session leader has no terminal unless given
    one. Proc.pgid/sid/tty/tpgid override all of this.
    """
    by_pid = {p.pid: p for p in procs}
    ids = {}

    def of(p: Proc) -> Ids:
        if p.pid in ids:
            return ids[p.pid]
        parent = by_pid.get(p.ppid)
        inherited = of(parent) if parent is not None and p.kind not in ("kthread", "kworker") \
            else Ids(0, 0, 0, -1)
        if p.kind in ("kthread", "kworker"):
            got = Ids(0, 0, 0, -1)
        elif p.pid == 1 or p.nspid == 1 or p.ppid == 1 or (
                parent is not None and parent.comm == "systemd"):
            got = Ids(p.pid, p.pid, 0, -1)
        elif parent is not None and parent.comm in GROUPING_INITS:
            got = Ids(p.pid, inherited.sid, inherited.tty, inherited.tpgid)
        else:
            got = Ids(inherited.pgid, inherited.sid, inherited.tty, inherited.tpgid)
        if p.pgid is not None:
            got.pgid = p.pgid
        if p.sid is not None:
            got.sid = p.sid
        if p.tty is not None:
            got.tty = p.tty
        if p.tpgid is not None:
            got.tpgid = p.tpgid
        ids[p.pid] = got
        return got

    for p in procs:
        of(p)
    return ids


def namespace_pids(procs, dead: dict) -> dict:
    """A function (pid, host pid) -> the host pid as the pid namespace of `pid` sees it: its
    NSpid there, 0 when it lies outside that namespace. `dead` maps host pids of processes that
    are gone (a group's leader that exited) to (their namespace's init, their pid in it)."""
    by_pid = {p.pid: p for p in procs}

    def root(pid: int) -> Optional[int]:  # the init of pid's namespace; None for the host's
        p = by_pid.get(pid)
        while p is not None and p.nspid is not None:
            if p.nspid == 1:
                return p.pid
            p = by_pid.get(p.ppid)
        return None

    def inner(pid: int, host_pid: int) -> int:
        if host_pid in dead:
            init, ns = dead[host_pid]
            return ns if init == root(pid) else 0
        other = by_pid.get(host_pid)
        if other is None or other.nspid is None or root(host_pid) != root(pid):
            return 0
        return other.nspid

    return inner


# --------------------------------------------------------------------------------------------
# File renderers
# --------------------------------------------------------------------------------------------

STATE_NAMES = {"R": "running", "S": "sleeping", "D": "disk sleep", "Z": "zombie", "I": "idle"}


def stat_line(p: Proc, ids: Ids) -> str:
    """All 52 fields of /proc/PID/stat, shaped like the kernel's do_task_stat()."""
    if p.kind in ("kthread", "kworker"):
        flags = PF_KTHREAD_FLAGS if p.kind == "kthread" else KWORKER_FLAGS
        prio, nice = (0, -20) if p.comm.endswith("H") or "H-" in p.comm else (20, 0)
        fields = [p.state, p.ppid, 0, 0, 0, -1, flags, 0, 0, 0, 0, p.pid % 7, p.pid % 13, 0, 0,
                  prio, nice, 1, 0, p.start, 0, 0, "18446744073709551615", 0, 0, 0, 0, 0, 0, 0,
                  2147483647, 0, 1, 0, 0, 0, p.pid % 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    elif p.kind == "zombie":  # no mm: sizes and addresses read 0, the task still has a slot
        fields = [p.state, p.ppid, ids.pgid, ids.sid, ids.tty, ids.tpgid, ZOMBIE_FLAGS, 95, 0,
                  0, 0, 0, 1, 0, 0,
                  20, 0, 1, 0, p.start, 0, 0, "18446744073709551615", 0, 0, 0, 0, 0, 0, 0, 0, 0,
                  0, 0, 0, 17, p.pid % 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    else:
        base = 0x55D0C0000000 + p.pid * 0x10000
        stack = 0x7FFD10000000 + p.pid * 0x1000
        fields = [p.state, p.ppid, ids.pgid, ids.sid, ids.tty, ids.tpgid, USER_FLAGS,
                  1000 + p.pid * 3, 0,
                  12 + p.pid % 17, 0, p.pid % 97 + 3, p.pid % 41 + 1, 0, 0, 20, 0, p.threads, 0,
                  p.start, p.size * 4096, p.rss, "18446744073709551615", base, base + 0x2F1A3,
                  stack, 0, 0, 0, 0, 4096, 17642, 1, 0, 0, 17, p.pid % 2, 0, 0, 0, 0, 0,
                  base + 0x31000, base + 0x32A60, base + 0x1000000, stack + 0xE3D, stack + 0xE61,
                  stack + 0xE61, stack + 0xFE5, 0]
    assert len(fields) == 50, (p.pid, len(fields))
    return f"{p.pid} ({p.comm}) " + " ".join(str(f) for f in fields) + "\n"


def statm_line(p: Proc) -> str:
    if p.kind != "user":
        return "0 0 0 0 0 0 0\n"
    text = max(1, p.size // 200)
    data = p.size // 3
    return f"{p.size} {p.rss} {p.shared} {text} 0 {data} 0\n"


def status_text(p: Proc, ids: Ids, ns_pid_of, with_kthread_line: bool) -> str:
    """ns_pid_of(pid, host_pid): host_pid as the namespace of pid sees it (namespace_pids)."""
    gid = p.uid
    ns = f"\t{p.nspid}" if p.nspid is not None else ""

    def nested(host_pid: int) -> str:  # NSpgid and NSsid: the host's value, then the container's
        if p.nspid is None:
            return f"{host_pid}"
        return f"{host_pid}\t{ns_pid_of(p.pid, host_pid) if host_pid else 0}"
    lines = [
        f"Name:\t{p.comm}",
        "Umask:\t0000" if p.kind in ("kthread", "kworker") else "Umask:\t0022",
        f"State:\t{p.state} ({STATE_NAMES[p.state]})",
        f"Tgid:\t{p.pid}",
        "Ngid:\t0",
        f"Pid:\t{p.pid}",
        f"PPid:\t{p.ppid}",
        "TracerPid:\t0",
        f"Uid:\t{p.uid}\t{p.uid}\t{p.uid}\t{p.uid}",
        f"Gid:\t{gid}\t{gid}\t{gid}\t{gid}",
        "FDSize:\t0" if p.kind == "zombie" else "FDSize:\t64",
        "Groups:\t ",
        f"NStgid:\t{p.pid}{ns}",
        f"NSpid:\t{p.pid}{ns}",
        f"NSpgid:\t{nested(ids.pgid)}",
        f"NSsid:\t{nested(ids.sid)}",
    ]
    if with_kthread_line:
        lines.append(f"Kthread:\t{1 if p.kind in ('kthread', 'kworker') else 0}")
    if p.kind == "user":  # Vm*/Rss* lines exist only for tasks with an mm
        rss_kb = p.rss * PAGE_KB
        shmem_kb = (p.shared // 8) * PAGE_KB
        file_kb = p.shared * PAGE_KB - shmem_kb
        anon_kb = rss_kb - file_kb - shmem_kb
        assert anon_kb >= 0, p.pid
        kb = lambda v: f"{v:8d} kB"  # noqa: E731  the kernel pads to 8 columns
        lines += [
            f"VmPeak:\t{kb(p.size * PAGE_KB + 2048)}",
            f"VmSize:\t{kb(p.size * PAGE_KB)}",
            f"VmLck:\t{kb(0)}",
            f"VmPin:\t{kb(0)}",
            f"VmHWM:\t{kb(rss_kb + 512)}",
            f"VmRSS:\t{kb(rss_kb)}",
            f"RssAnon:\t{kb(anon_kb)}",
            f"RssFile:\t{kb(file_kb)}",
            f"RssShmem:\t{kb(shmem_kb)}",
            f"VmData:\t{kb(p.size // 3 * PAGE_KB)}",
            f"VmStk:\t{kb(132)}",
            f"VmExe:\t{kb(max(1, p.size // 200) * PAGE_KB)}",
            f"VmLib:\t{kb(8812)}",
            f"VmPTE:\t{kb(104 + p.rss // 512)}",
            f"VmSwap:\t{kb(0)}",
            f"HugetlbPages:\t{kb(0)}",
        ]
        lines += ["CoreDumping:\t0", "THP_enabled:\t1"]
    lines += [
        f"Threads:\t{p.threads}",
        "SigQ:\t0/63422",
        "SigPnd:\t0000000000000000",
        "ShdPnd:\t0000000000000000",
        "SigBlk:\t0000000000000000",
        "SigIgn:\t" + ("ffffffffffffffff" if p.kind in ("kthread", "kworker") else "0000000000001000"),
        "SigCgt:\t" + ("0000000000000000" if p.kind != "user" else "00000001800044eb"),
        "CapInh:\t0000000000000000",
        "CapPrm:\t" + ("000001ffffffffff" if p.uid == 0 else "0000000000000000"),
        "CapEff:\t" + ("000001ffffffffff" if p.uid == 0 else "0000000000000000"),
        "CapBnd:\t000001ffffffffff",
        "CapAmb:\t0000000000000000",
        "NoNewPrivs:\t0",
        "Seccomp:\t0",
        "Seccomp_filters:\t0",
        "Speculation_Store_Bypass:\tthread vulnerable",
        "SpeculationIndirectBranch:\tconditional enabled",
        "Cpus_allowed:\tf",
        "Cpus_allowed_list:\t0-3",
        "Mems_allowed:\t00000000,00000001",
        "Mems_allowed_list:\t0",
        f"voluntary_ctxt_switches:\t{p.pid * 7 % 1000 + 3}",
        f"nonvoluntary_ctxt_switches:\t{p.pid % 19}",
    ]
    return "\n".join(lines) + "\n"


def cmdline_bytes(p: Proc) -> bytes:
    if isinstance(p.argv, bytes):
        return p.argv
    return b"".join(a.encode() + b"\0" for a in p.argv)


def cgroup_text(p: Proc, hierarchies: list) -> str:
    """/proc/PID/cgroup: one line per hierarchy, highest ID first as the kernel prints them.

    `hierarchies` holds (id, controllers, key) with key the Proc.cgroups key; unlisted keys read
    "/". On v1, an exiting task (zombie) shows "/" on every v1 hierarchy; on v2 it keeps its path.
    """
    lines = []
    for hid, controllers, key in hierarchies:
        path = p.cgroups.get(key, "/")
        if p.kind == "zombie" and hid != 0:
            path = "/"
        lines.append(f"{hid}:{controllers}:{path}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Host files
# --------------------------------------------------------------------------------------------


def proc_stat(btime: int, cpus: int, processes: int) -> str:
    lines = ["cpu  1839201 2211 412034 59237103 21044 0 9921 0 0 0"]
    for i in range(cpus):
        lines.append(f"cpu{i} {459800 + i * 17} {552 + i} {103008 + i * 5} "
                     f"{14809275 + i * 31} {5261 + i} 0 {2480 + i} 0 0 0")
    lines += [
        "intr 409211865 9 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        "ctxt 721092211",
        f"btime {btime}",
        f"processes {processes}",
        "procs_running 2",
        "procs_blocked 0",
        "softirq 118820931 2 28107003 31 6271018 1102938 0 3011 51217013 0 32109915",
    ]
    return "\n".join(lines) + "\n"


def meminfo(total_kb: int, free_kb: int, available_kb: int, cached_kb: int) -> str:
    rows = [
        ("MemTotal", total_kb), ("MemFree", free_kb), ("MemAvailable", available_kb),
        ("Buffers", 202340), ("Cached", cached_kb), ("SwapCached", 0),
        ("Active", 2103384), ("Inactive", 1733284), ("Active(anon)", 1401228),
        ("Inactive(anon)", 8920), ("Active(file)", 702156), ("Inactive(file)", 1724364),
        ("Unevictable", 0), ("Mlocked", 0), ("SwapTotal", 0), ("SwapFree", 0), ("Zswap", 0),
        ("Zswapped", 0), ("Dirty", 412), ("Writeback", 0), ("AnonPages", 1390140),
        ("Mapped", 411288), ("Shmem", 19908), ("KReclaimable", 188212), ("Slab", 301148),
        ("SReclaimable", 188212), ("SUnreclaim", 112936), ("KernelStack", 9872),
        ("PageTables", 21940), ("SecPageTables", 0), ("NFS_Unstable", 0), ("Bounce", 0),
        ("WritebackTmp", 0), ("CommitLimit", total_kb // 2), ("Committed_AS", 4812232),
        ("VmallocTotal", 34359738367), ("VmallocUsed", 41232), ("VmallocChunk", 0),
        ("Percpu", 4928), ("HardwareCorrupted", 0), ("AnonHugePages", 0),
        ("ShmemHugePages", 0), ("ShmemPmdMapped", 0), ("FileHugePages", 0),
        ("FilePmdMapped", 0),
    ]
    out = [f"{k + ':':<16}{v:>8} kB" for k, v in rows]
    out += ["HugePages_Total:       0", "HugePages_Free:        0", "HugePages_Rsvd:        0",
            "HugePages_Surp:        0", "Hugepagesize:       2048 kB", "Hugetlb:               0 kB",
            "DirectMap4k:      268108 kB", "DirectMap2M:     8120320 kB"]
    return "\n".join(out) + "\n"


def v1_memory_stat(rss: int, cache: int, shmem: int, mapped: int) -> str:
    """v1 memory.stat: local counters then hierarchical total_* (fixtures use leaf values)."""
    keys = [("cache", cache), ("rss", rss), ("rss_huge", 0), ("shmem", shmem),
            ("mapped_file", mapped), ("dirty", 135168), ("writeback", 0), ("swap", 0),
            ("pgpgin", 402117), ("pgpgout", 281433), ("pgfault", 612290), ("pgmajfault", 301),
            ("inactive_anon", shmem), ("active_anon", rss), ("inactive_file", cache // 2),
            ("active_file", cache - cache // 2),
            ("unevictable", 0)]
    lines = [f"{k} {v}" for k, v in keys]
    lines += [f"hierarchical_memory_limit {V1_UNLIMITED}",
              f"hierarchical_memsw_limit {V1_UNLIMITED}"]
    lines += [f"total_{k} {v}" for k, v in keys]
    return "\n".join(lines) + "\n"


def v2_memory_stat(anon: int, file: int, kernel: int, shmem: int, file_mapped: int,
                   slab: int, sock: int) -> str:
    keys = [
        ("anon", anon), ("file", file), ("kernel", kernel), ("kernel_stack", kernel // 8),
        ("pagetables", kernel // 6), ("sec_pagetables", 0), ("percpu", 4320), ("sock", sock),
        ("vmalloc", 8192), ("shmem", shmem), ("zswap", 0), ("zswapped", 0),
        ("file_mapped", file_mapped), ("file_dirty", 16384), ("file_writeback", 0),
        ("swapcached", 0), ("anon_thp", 0), ("file_thp", 0), ("shmem_thp", 0),
        ("inactive_anon", shmem + anon // 9), ("active_anon", anon - anon // 9),
        ("inactive_file", file // 2), ("active_file", file - file // 2 - shmem),
        ("unevictable", 0), ("slab_reclaimable", slab * 2 // 3),
        ("slab_unreclaimable", slab - slab * 2 // 3), ("slab", slab),
        ("workingset_refault_anon", 0), ("workingset_refault_file", 1093),
        ("workingset_activate_anon", 0), ("workingset_activate_file", 310),
        ("workingset_restore_anon", 0), ("workingset_restore_file", 121),
        ("workingset_nodereclaim", 0), ("pgscan", 30211), ("pgsteal", 29870),
        ("pgscan_kswapd", 28001), ("pgscan_direct", 2210), ("pgscan_khugepaged", 0),
        ("pgsteal_kswapd", 27790), ("pgsteal_direct", 2080), ("pgsteal_khugepaged", 0),
        ("pgfault", 1820331), ("pgmajfault", 412), ("pgrefill", 3011), ("pgactivate", 90122),
        ("pgdeactivate", 2988), ("pglazyfree", 0), ("pglazyfreed", 0), ("zswpin", 0),
        ("zswpout", 0), ("zswpwb", 0), ("thp_fault_alloc", 0), ("thp_collapse_alloc", 0),
        ("thp_swpout", 0), ("thp_swpout_fallback", 0),
    ]
    return "".join(f"{k} {v}\n" for k, v in keys)


def pressure(some=(0.0, 0.0, 0.0, 0), full=(0.0, 0.0, 0.0, 0)) -> str:
    def line(kind, v):
        return f"{kind} avg10={v[0]:.2f} avg60={v[1]:.2f} avg300={v[2]:.2f} total={v[3]}\n"
    return line("some", some) + line("full", full)


def write_v2_cgroup(t: "Tree", path: str, current: int, maximum, peak: int, events: tuple,
                    memory_stat: str, psi: tuple, pids_current: int, pids_max,
                    swap: int = 0) -> None:
    """The memory and pids files of one non-root cgroup v2 directory.

    events = (low, high, max, oom, oom_kill) as in memory.events; psi = (some, full); swap is
    memory.swap.current.
    """
    d = f"sys/fs/cgroup{path}/"
    t.write(d + "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    t.write(d + "cgroup.type", "domain\n")
    t.write(d + "memory.current", f"{current}\n")
    t.write(d + "memory.max", f"{maximum}\n")
    t.write(d + "memory.high", "max\n")
    t.write(d + "memory.min", "0\n")
    t.write(d + "memory.low", "0\n")
    t.write(d + "memory.peak", f"{peak}\n")
    t.write(d + "memory.swap.current", f"{swap}\n")
    t.write(d + "memory.swap.max", "max\n")
    low, high, mx, oom, oom_kill = events
    t.write(d + "memory.events", f"low {low}\nhigh {high}\nmax {mx}\noom {oom}\n"
                                 f"oom_kill {oom_kill}\noom_group_kill 0\n")
    t.write(d + "memory.stat", memory_stat)
    t.write(d + "memory.pressure", pressure(*psi))
    t.write(d + "pids.current", f"{pids_current}\n")
    t.write(d + "pids.max", f"{pids_max}\n")
    t.write(d + "pids.events", "max 0\n")


# --------------------------------------------------------------------------------------------
# Tree writer
# --------------------------------------------------------------------------------------------


def containerd_task(t: "Tree", namespace: str, cid: str) -> None:
    """The directory containerd's v2 shim keeps per task: the runtime state that verifies a
    container procleak finds by its cgroup path (src/container/runtime_state.cc)."""
    t.write(f"run/containerd/io.containerd.runtime.v2.task/{namespace}/{cid}/config.json",
            '{"ociVersion": "1.0.2"}\n')


class Tree:
    def __init__(self, name: str):
        self.root = os.path.join(HERE, name)
        shutil.rmtree(self.root, ignore_errors=True)

    def write(self, rel: str, content) -> None:
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        with open(path, "wb") as f:
            f.write(data)

    def host(self, hostname, osrelease, btime, cpus, mem, mountinfo) -> None:
        self.write("proc/sys/kernel/hostname", hostname + "\n")
        self.write("proc/sys/kernel/osrelease", osrelease + "\n")
        self.write("proc/stat", proc_stat(btime, cpus, 48211))
        self.write("proc/meminfo", meminfo(*mem))
        self.write("proc/self/mountinfo", mountinfo)

    def processes(self, procs, hierarchies, kthread_line: bool, dead=None) -> None:
        """`dead`: see namespace_pids."""
        ids = process_ids(procs)
        ns_pid_of = namespace_pids(procs, dead or {})
        for p in procs:
            d = f"proc/{p.pid}/"
            self.write(d + "stat", stat_line(p, ids[p.pid]))
            self.write(d + "statm", statm_line(p))
            self.write(d + "status", status_text(p, ids[p.pid], ns_pid_of, kthread_line))
            self.write(d + "cmdline", cmdline_bytes(p))
            self.write(d + "cgroup", cgroup_text(p, hierarchies))

    def procs_files(self, mount_dir: str, key: str, procs) -> None:
        """cgroup.procs of every cgroup that holds one of `procs` in hierarchy `key`."""
        by_path = {}
        for p in procs:
            path = "/" if (p.kind == "zombie" and key != "") else p.cgroups.get(key, "/")
            by_path.setdefault(path, []).append(p.pid)
        for path, pids in by_path.items():
            self.write(f"{mount_dir}{path.rstrip('/')}/cgroup.procs",
                       "".join(f"{pid}\n" for pid in pids))


# --------------------------------------------------------------------------------------------
# v1-docker: Amazon-Linux-2-style pure cgroup v1 host, Docker with the cgroupfs driver
# --------------------------------------------------------------------------------------------


def v1_docker() -> None:
    t = Tree("v1-docker")
    api, batch = hex_id("v1-docker/api"), hex_id("v1-docker/batch")
    mountinfo = """\
21 1 259:1 / / rw,noatime shared:1 - xfs /dev/nvme0n1p1 rw,attr2,inode64,logbufs=8,logbsize=32k,noquota
22 21 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
23 21 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
24 23 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:7 - tmpfs tmpfs ro,mode=755
25 24 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
27 24 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
28 24 0:26 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,net_cls,net_prio
29 24 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory
30 24 0:28 / /sys/fs/cgroup/perf_event rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,perf_event
31 24 0:29 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,freezer
32 24 0:30 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,blkio
33 24 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,pids
34 24 0:32 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,devices
35 24 0:33 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,cpuset
36 24 0:34 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,hugetlb
40 21 0:36 / /run rw,nosuid,nodev shared:20 - tmpfs tmpfs rw,mode=755
62 21 0:41 / /var/lib/docker/overlay2/3f0c2d/merged rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/AB12:/var/lib/docker/overlay2/l/CD34,upperdir=/var/lib/docker/overlay2/3f0c2d/diff,workdir=/var/lib/docker/overlay2/3f0c2d/work
"""
    # (hierarchy ID, controller list as printed, Proc.cgroups key)
    hierarchies = [
        (11, "hugetlb", "hugetlb"), (10, "cpuset", "cpuset"), (9, "devices", "devices"),
        (8, "pids", "pids"), (7, "blkio", "blkio"), (6, "freezer", "freezer"),
        (5, "perf_event", "perf_event"), (4, "memory", "memory"),
        (3, "net_cls,net_prio", "net"), (2, "cpu,cpuacct", "cpu"), (1, "name=systemd", "systemd"),
    ]

    def service(unit):
        path = f"/system.slice/{unit}"
        return {"systemd": path, "memory": path, "pids": path, "cpu": path, "blkio": path}

    def container(cid):
        path = f"/docker/{cid}"
        return {k: path for _, _, k in hierarchies}

    procs = [
        Proc(1, "systemd", 0, 12, ["/usr/lib/systemd/systemd", "--switched-root", "--system",
                                   "--deserialize", "22"], size=48513, rss=2871, shared=1630),
        Proc(2, "kthreadd", 0, 12, kind="kthread"),
        Proc(24, "kworker/u16:3-events_unbound", 2, 91, kind="kworker", state="I"),
        Proc(620, "containerd", 1, 1502, ["/usr/bin/containerd"], threads=12, size=409876,
             rss=12845, shared=7210, cgroups=service("containerd.service")),
        Proc(890, "dockerd", 1, 1733, ["/usr/bin/dockerd", "-H", "fd://",
                                       "--containerd=/run/containerd/containerd.sock"],
             threads=18, size=521033, rss=21870, shared=9120, cgroups=service("docker.service")),
        Proc(1203, "containerd-shim", 1, 4120,
             ["/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", api,
              "-address", "/run/containerd/containerd.sock"],
             threads=11, size=180402, rss=2617, shared=1411,
             cgroups=service("containerd.service")),
        Proc(1230, "tini", 1203, 4134, ["/sbin/tini", "--", "node", "/app/server.js"],
             size=620, rss=180, shared=150, uid=1000, cgroups=container(api), nspid=1),
        Proc(1251, "node) x", 1230, 4141, ["node", "/app/server.js"], threads=11,
             size=280411, rss=24576, shared=6020, uid=1000, cgroups=container(api), nspid=7),
        Proc(1262, "sh", 1251, 5230, kind="zombie", state="Z", uid=1000, cgroups=container(api),
             nspid=19),
        Proc(1263, "node", 1251, 4190, ["node", "/app/worker.js", "--queue", "emails"],
             threads=7, size=240118, rss=12288, shared=5410, uid=1000, cgroups=container(api),
             nspid=8),
        Proc(1310, "containerd-shim", 1, 6011,
             ["/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", batch,
              "-address", "/run/containerd/containerd.sock"],
             threads=10, size=180402, rss=2590, shared=1402,
             cgroups=service("containerd.service")),
        Proc(1335, "python3", 1310, 6030, ["python3", "-m", "http.server", "8080"], threads=4,
             size=61203, rss=9000, shared=2210, cgroups=container(batch), nspid=1),
        # cmdline without the final NUL: the last argument must still come back.
        Proc(1360, "sleep", 1335, 6075, b"sleep\0infinity", size=1370, rss=130, shared=118,
             cgroups=container(batch), nspid=9),
    ]
    t.host("ip-10-0-3-17.ec2.internal", "5.10.220-209.869.amzn2.x86_64", 1795161600, 4,
           (16181320, 9930112, 11235404, 1702844), mountinfo)
    t.processes(procs, hierarchies, kthread_line=False)
    for cid in (api, batch):  # no /var/lib/docker here: containerd's tasks verify them
        containerd_task(t, "moby", cid)

    mem = "sys/fs/cgroup/memory"

    def v1_memory(path, usage, limit, peak, failcnt, oom_kill, rss, cache, shmem, mapped,
                  swap=0):
        d = f"{mem}{path.rstrip('/')}/"
        t.write(d + "memory.usage_in_bytes", f"{usage}\n")
        # Swap accounting is on (swapaccount=1): memsw counts memory and swap.
        t.write(d + "memory.memsw.usage_in_bytes", f"{usage + swap}\n")
        t.write(d + "memory.memsw.limit_in_bytes", f"{V1_UNLIMITED}\n")
        t.write(d + "memory.limit_in_bytes", f"{limit}\n")
        t.write(d + "memory.max_usage_in_bytes", f"{peak}\n")
        t.write(d + "memory.failcnt", f"{failcnt}\n")
        t.write(d + "memory.oom_control",
                f"oom_kill_disable 0\nunder_oom 0\noom_kill {oom_kill}\n")
        t.write(d + "memory.stat", v1_memory_stat(rss, cache, shmem, mapped))
        t.write(d + "memory.soft_limit_in_bytes", f"{V1_UNLIMITED}\n")
        t.write(d + "memory.use_hierarchy", "1\n")

    v1_memory("/", 4831838208, V1_UNLIMITED, 6012342272, 0, 0,
              2684354560, 2013265920, 20385792, 421130240)
    v1_memory("/docker/" + api, 501219328, 536870912, 536870912, 17, 3,
              455081984, 46137344, 0, 12582912, swap=33554432)
    v1_memory("/system.slice/docker.service", 142606336, V1_UNLIMITED, 190840832, 0, 0,
              88080384, 54525952, 0, 30408704)
    v1_memory("/system.slice/containerd.service", 93454336, V1_UNLIMITED, 120586240, 0, 0,
              63963136, 29491200, 0, 21495808)
    v1_memory("/docker/" + batch, 61440000, V1_UNLIMITED, 70254592, 0, 0,
              36864000, 24576000, 0, 8388608)

    pids = "sys/fs/cgroup/pids"
    for path, current, maximum in [
        ("/docker/" + api, 20, "100"), ("/docker/" + batch, 5, "max"),
        ("/system.slice/docker.service", 18, "max"),
        ("/system.slice/containerd.service", 33, "max"),
    ]:  # the v1 pids root has neither file
        t.write(f"{pids}{path}/pids.current", f"{current}\n")
        t.write(f"{pids}{path}/pids.max", f"{maximum}\n")
        t.write(f"{pids}{path}/pids.events", "max 0\n")

    for mount, key in [("systemd", "systemd"), ("cpu,cpuacct", "cpu"),
                       ("net_cls,net_prio", "net"), ("memory", "memory"),
                       ("perf_event", "perf_event"), ("freezer", "freezer"), ("blkio", "blkio"),
                       ("pids", "pids"), ("devices", "devices"), ("cpuset", "cpuset"),
                       ("hugetlb", "hugetlb")]:
        t.procs_files(f"sys/fs/cgroup/{mount}", key, procs)


# --------------------------------------------------------------------------------------------
# v2-systemd: Ubuntu-24.04-style pure cgroup v2 host, Docker and Kubernetes with systemd driver
# --------------------------------------------------------------------------------------------


USER_MANAGER = "/user.slice/user-1000.slice/user@1000.service/init.scope"
SESSION = "/user.slice/user-1000.slice/session-3.scope"
BACKUP = "/system.slice/backup.service"


def v2_systemd() -> None:
    t = Tree("v2-systemd")
    web = hex_id("v2-systemd/web")
    dns = hex_id("v2-systemd/coredns")
    sandbox = hex_id("v2-systemd/coredns-sandbox")
    pod = "kubepods-burstable-pod3f1b7c2e_8d4a_4b6e_9c1f_2a7d5e8b0c13.slice"
    cri_path = f"/kubepods.slice/kubepods-burstable.slice/{pod}/cri-containerd-{dns}.scope"
    web_path = f"/system.slice/docker-{web}.scope"
    mountinfo = """\
25 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,discard,errors=remount-ro
26 25 0:24 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
27 25 0:25 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw
28 25 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4019884k,nr_inodes=1004971,mode=755,inode64
31 25 0:27 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=813948k,mode=755,inode64
34 26 0:29 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
35 26 0:30 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw
36 26 0:31 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf bpf rw,mode=700
612 25 0:55 / /var/lib/docker/rootfs/overlayfs/8c1e rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/Q7:/var/lib/docker/overlay2/l/R2,upperdir=/var/lib/docker/overlay2/8c1e/diff,workdir=/var/lib/docker/overlay2/8c1e/work
640 31 0:58 / /run/containerd/io.containerd.grpc.v1.cri/sandboxes/%s/shm rw,nosuid,nodev,noexec,relatime shared:301 - tmpfs shm rw,size=65536k,inode64
""" % sandbox
    hierarchies = [(0, "", "")]
    procs = [
        Proc(1, "systemd", 0, 3, ["/sbin/init"], size=5689, rss=3258, shared=2101,
             cgroups={"": "/init.scope"}),
        Proc(2, "kthreadd", 0, 3, kind="kthread", cgroups={"": "/"}),
        Proc(47, "kworker/1:1H-kblockd", 2, 61, kind="kworker", state="I", cgroups={"": "/"}),
        Proc(655, "containerd", 1, 812, ["/usr/bin/containerd"], threads=14, size=473210,
             rss=11830, shared=6710, cgroups={"": "/system.slice/containerd.service"}),
        Proc(712, "dockerd", 1, 951, ["/usr/bin/dockerd", "-H", "fd://",
                                      "--containerd=/run/containerd/containerd.sock"],
             threads=20, size=611300, rss=20011, shared=8830,
             cgroups={"": "/system.slice/docker.service"}),
        Proc(1402, "containerd-shim", 1, 5210,
             ["/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", web,
              "-address", "/run/containerd/containerd.sock"],
             threads=12, size=309112, rss=2843, shared=1520,
             cgroups={"": "/system.slice/containerd.service"}),
        # nginx rewrites its title past the argv area: the kernel returns it up to the first NUL.
        Proc(1425, "nginx", 1402, 5231, b"nginx: master process nginx -g daemon off;\0",
             size=2801, rss=1450, shared=1190, cgroups={"": web_path}, nspid=1),
        # ... or pads it with NULs: trailing padding is not an argument.
        Proc(1461, "nginx", 1425, 5290, b"nginx: worker process" + b"\0" * 22, size=2901,
             rss=820, shared=610, uid=101, cgroups={"": web_path}, nspid=29),
        Proc(1462, "nginx", 1425, 5290, b"nginx: worker process" + b"\0" * 22, size=2901,
             rss=812, shared=610, uid=101, cgroups={"": web_path}, nspid=30),
        # A v2 zombie keeps its cgroup line.
        Proc(1470, "nginx", 1425, 9921, kind="zombie", state="Z", uid=101,
             cgroups={"": web_path}, nspid=31),
        Proc(1502, "containerd-shim", 1, 7120,
             ["/usr/bin/containerd-shim-runc-v2", "-namespace", "k8s.io", "-id", sandbox,
              "-address", "/run/containerd/containerd.sock"],
             threads=11, size=309112, rss=2701, shared=1498,
             cgroups={"": "/system.slice/containerd.service"}),
        Proc(1530, "coredns", 1502, 7190, ["/coredns", "-conf", "/etc/coredns/Corefile"],
             threads=13, size=322012, rss=13107, shared=4012, uid=65532,
             cgroups={"": cri_path}, nspid=1),
        # Host services and a login, shown by systemd unit: the user manager in its init.scope,
        # sshd's listener, a login session's scope, and a service near its limit.
        Proc(1600, "systemd", 1, 9050, ["/lib/systemd/systemd", "--user"], size=5120, rss=2560,
             shared=2048, uid=1000, cgroups={"": USER_MANAGER}),
        Proc(1650, "sshd", 1, 1210, ["sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"],
             size=3100, rss=1792, shared=1536, cgroups={"": "/system.slice/ssh.service"}),
        Proc(1700, "sshd", 1650, 9010, ["sshd: alice [priv]"], size=3300, rss=2048, shared=1600,
             cgroups={"": SESSION}, pgid=1700, sid=1700),
        Proc(1710, "bash", 1700, 9100, ["-bash"], size=2200, rss=1280, shared=800, uid=1000,
             cgroups={"": SESSION}, pgid=1710, sid=1710, tty=34816, tpgid=1710),
        Proc(1800, "python3", 1, 20400, ["/usr/bin/python3", "/opt/backup/run.py"],
             threads=4, size=70000, rss=60000, shared=1200, cgroups={"": BACKUP}),
    ]
    t.host("web-03", "6.8.0-51-generic", 1772461800, 4, (8139464, 2410220, 5012344, 2614280),
           mountinfo)
    t.processes(procs, hierarchies, kthread_line=False)
    from incident_fixture import smaps_rollup  # imported here: it imports this module
    for p in procs:  # Pss = Rss less half the shared pages, as if each shares with one other
        if p.kind == "user" and p.state != "Z":
            t.write(f"proc/{p.pid}/smaps_rollup",
                    smaps_rollup(p.rss * 4096, (p.rss - p.shared // 2) * 4096))
    containerd_task(t, "moby", web)
    for cid in (sandbox, dns):
        containerd_task(t, "k8s.io", cid)

    cg = "sys/fs/cgroup"
    t.write(f"{cg}/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    t.write(f"{cg}/cgroup.subtree_control", "cpuset cpu io memory hugetlb pids rdma misc\n")
    # The root cgroup has no memory.current/max/peak/events and no pids.*; it does have
    # memory.stat (since 6.x) and the PSI files.
    t.write(f"{cg}/memory.stat", v2_memory_stat(1423998976, 2410086400, 201326592, 20385792,
                                                421130240, 150994944, 1048576))
    t.write(f"{cg}/memory.pressure", pressure((0.12, 0.08, 0.02, 1889213),
                                              (0.05, 0.03, 0.00, 901122)))

    def v2_group(path, current, maximum, peak, events, stat, psi, pids_current, pids_max):
        write_v2_cgroup(t, path, current, maximum, peak, events, v2_memory_stat(*stat), psi,
                        pids_current, pids_max)

    zero_psi = ((0.0, 0.0, 0.0, 0), (0.0, 0.0, 0.0, 0))
    v2_group("/init.scope", 13172736, "max", 41943040, (0, 0, 0, 0, 0),
             (4562944, 7208960, 1179648, 0, 5029888, 720896, 0), zero_psi, 1, "max")
    write_v2_cgroup(t, "/system.slice/containerd.service", 187236352, "max", 233832448,
                    (0, 0, 0, 0, 0), v2_memory_stat(110100480, 72351744, 4784128, 0, 30408704,
                                                    2621440, 32768),
                    zero_psi, 37, "max", swap=12582912)
    # 97% of its 256 MiB MemoryMax, 4 OOM kills, stalled 23% of the last minute, 64 MiB swapped.
    write_v2_cgroup(t, BACKUP, 260046848, 268435456, 268431360, (0, 310, 96, 4, 4),
                    v2_memory_stat(245366784, 9437184, 3145728, 0, 1048576, 1048576, 0),
                    ((31.50, 23.02, 9.81, 98012331), (8.10, 6.40, 2.20, 30118210)), 5, 1228,
                    swap=67108864)
    v2_group("/system.slice/ssh.service", 6291456, "max", 9437184, (0, 0, 0, 0, 0),
             (3145728, 2097152, 524288, 0, 1048576, 262144, 0), zero_psi, 1, 1228)
    v2_group(SESSION, 15728640, "max", 20971520, (0, 0, 0, 0, 0),
             (8388608, 5242880, 1048576, 0, 2097152, 524288, 4096), zero_psi, 2, "max")
    v2_group(USER_MANAGER, 9437184, "max", 12582912, (0, 0, 0, 0, 0),
             (5242880, 3145728, 524288, 0, 2097152, 262144, 0), zero_psi, 1, "max")
    v2_group("/system.slice/docker.service", 104857600, "max", 161480704, (0, 0, 0, 0, 0),
             (79691776, 22020096, 3145728, 0, 14680064, 1835008, 65536), zero_psi, 20, "max")
    v2_group(web_path, 47185920, "max", 73400320, (0, 0, 0, 0, 2),
             (12582912, 33554432, 1048576, 4096, 6291456, 655360, 0),
             ((1.52, 0.87, 0.31, 4815162), (0.95, 0.52, 0.18, 2342342)), 4, 4096)
    v2_group(cri_path, 58720256, 268435456, 268410880, (0, 0, 14, 1, 1),
             (50331648, 7340032, 1048576, 0, 3145728, 524288, 12288),
             ((0.40, 2.10, 0.95, 18230551), (0.22, 1.70, 0.70, 12009881)), 13, "max")
    for path in ["/system.slice", "/kubepods.slice", "/kubepods.slice/kubepods-burstable.slice",
                 f"/kubepods.slice/kubepods-burstable.slice/{pod}", "/user.slice",
                 "/user.slice/user-1000.slice",
                 "/user.slice/user-1000.slice/user@1000.service"]:  # parents: no processes
        t.write(f"{cg}{path}/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    t.procs_files(cg, "", procs)


# --------------------------------------------------------------------------------------------
# hybrid: like the development machine (tmpfs, per-controller v1 mounts, cgroup2 at unified)
# --------------------------------------------------------------------------------------------


def hybrid() -> None:
    t = Tree("hybrid")
    sbx_a, sbx_b = "0b6aa5f2967a07ea9b60e7c680931d4f", "7e433928ea5a1a0cd23c10d61ea841c1"
    colon = ("/kubepods-besteffort-pod0125ec2f_b64a_4868_8f5b_94b56cbab864.slice:cri-containerd:"
             "ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459")
    mountinfo = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334432k,nr_inodes=3083608,mode=755
25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683656k
26 24 0:24 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
    hierarchies = [
        (9, "name=systemd", "systemd"), (8, "pids", "pids"), (7, "blkio", "blkio"),
        (6, "freezer", "freezer"), (5, "devices", "devices"), (4, "memory", "memory"),
        (3, "cpuset", "cpuset"), (2, "cpuacct", "cpuacct"), (1, "cpu", "cpu"), (0, "", ""),
    ]
    in_a = {"memory": f"/sandbox/{sbx_a}"}
    in_b = {"memory": f"/sandbox/{sbx_b}"}
    procs = [
        Proc(1, "sandbox-init", 0, 14, ["/usr/local/bin/sandbox-init", "--listen", "vsock:1024"],
             threads=11, size=8676, rss=2218, shared=1455),
        Proc(2, "kthreadd", 0, 14, kind="kthread"),
        Proc(3, "pool_workqueue_release", 2, 14, kind="kthread"),
        Proc(35, "kworker/u8:2-writeback", 2, 160, kind="kworker", state="I"),
        # A login shell on /dev/pts/0 (136:0); python3 is its foreground job, a group of its own.
        Proc(310, "bash", 1, 20411, ["/bin/bash", "--login"], size=1813, rss=980, shared=735,
             cgroups=in_a, tty=34816, tpgid=322),
        Proc(322, "python3", 310, 20587, ["python3", "train.py", "--epochs", "3"], threads=9,
             size=901233, rss=262144, shared=9011, cgroups=in_a, pgid=322),
        Proc(340, "sh", 322, 31002, kind="zombie", state="Z", cgroups=in_a),
        Proc(402, "bash", 1, 25110, ["/bin/bash"], size=1813, rss=962, shared=731, cgroups=in_b),
        Proc(455, "sleep", 402, 25876, ["sleep", "600"], size=1370, rss=128, shared=116,
             cgroups=in_b),
        Proc(520, "pause", 1, 26001, ["/pause"], size=253, rss=104, shared=2,
             cgroups={"memory": colon, "systemd": "/system.slice/containerd.service" + colon}),
    ]
    t.host("sbx-4f1c9a", "6.18.44-fc-v782", 1795132035, 2,
           (24683656, 22812100, 23290780, 1201340), mountinfo)
    t.processes(procs, hierarchies, kthread_line=True)
    containerd_task(t, "k8s.io", colon.rsplit(":", 1)[1])

    mem = "sys/fs/cgroup/memory"

    def v1_memory(path, usage, limit, peak, failcnt, oom_kill, rss, cache, shmem, mapped):
        d = f"{mem}{path.rstrip('/')}/"
        t.write(d + "memory.usage_in_bytes", f"{usage}\n")
        t.write(d + "memory.limit_in_bytes", f"{limit}\n")
        t.write(d + "memory.max_usage_in_bytes", f"{peak}\n")
        t.write(d + "memory.failcnt", f"{failcnt}\n")
        t.write(d + "memory.oom_control",
                f"oom_kill_disable 0\nunder_oom 0\noom_kill {oom_kill}\n")
        t.write(d + "memory.stat", v1_memory_stat(rss, cache, shmem, mapped))

    v1_memory("/", 1491804160, V1_UNLIMITED, 1603862528, 0, 0,
              1090519040, 392200192, 9166848, 10498048)
    v1_memory(f"/sandbox/{sbx_a}", 1180000256, 4294967296, 1342177280, 0, 0,
              1077936128, 98304000, 0, 8192000)
    v1_memory(f"/sandbox/{sbx_b}", 9216000, V1_UNLIMITED, 11534336, 0, 0,
              4329472, 4886528, 0, 2121728)
    v1_memory(colon, 835584, V1_UNLIMITED, 1048576, 0, 0, 425984, 409600, 0, 401408)

    t.write("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n")
    t.write("sys/fs/cgroup/unified/cgroup.subtree_control", "\n")
    t.write("sys/fs/cgroup/unified/memory.pressure", pressure())
    for mount, key in [("systemd", "systemd"), ("pids", "pids"), ("blkio", "blkio"),
                       ("freezer", "freezer"), ("devices", "devices"), ("memory", "memory"),
                       ("cpuset", "cpuset"), ("cpuacct", "cpuacct"), ("cpu", "cpu"),
                       ("unified", "")]:
        t.procs_files(f"sys/fs/cgroup/{mount}", key, procs)


if __name__ == "__main__":
    v1_docker()
    v2_systemd()
    hybrid()
    import runtime_fixtures  # the container-runtime layouts; imports this module's helpers
    runtime_fixtures.main()
    import incident_fixture  # the host of issue 4's incident
    incident_fixture.incident()
    import detection_fixture  # issue 15's shapes in containers and host services
    detection_fixture.detection()
    import spoof_fixture  # issue 17's cgroup that only claims to be a Docker container
    spoof_fixture.spoof()
    import hostile_names_fixture  # names with controls, bidi, invalid UTF-8, CJK and emoji
    hostile_names_fixture.hostile_names()
