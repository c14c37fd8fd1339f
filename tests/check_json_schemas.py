#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks every JSON document the built procleak writes against man/schema/*.schema.json.

usage: check_json_schemas.py PROCLEAK SCHEMA_DIR DATA_DIR

Runs scan, watch, record + replay (--list and the moments), diff and reap --json on every fixture
tree under DATA_DIR and on this machine, and validates each document with the schema its "schema"
member names (python3-jsonschema, draft 2020-12). reap --apply acts only on chains of `sh -c` this
script starts (selected by a token and by --pid); it kills their sessions on the way out, also
when a check fails. Then it asserts that the schemas reject the spellings they replaced, so they
are strict enough to catch a renamed or mistyped member.
"""

import copy
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import jsonschema

DOCUMENTS = ("procleak.scan/1", "procleak.diff/1", "procleak.reap/1", "procleak.moments/1")


class Checker:
    def __init__(self, procleak, schema_dir):
        self.procleak = procleak
        schemas = [json.loads(p.read_text()) for p in sorted(schema_dir.glob("*.schema.json"))]
        for s in schemas:
            jsonschema.Draft202012Validator.check_schema(s)
        self.validators = {}
        for s in schemas:
            self.validators[s["properties"]["schema"]["const"]] = self._validator(s, schemas)
        missing = set(DOCUMENTS) - set(self.validators)
        if missing:
            raise SystemExit(f"{schema_dir}: no schema for {sorted(missing)}")
        out = self.run(["--version"], (0,)).split()
        self.version = out[1] if len(out) == 2 else None
        self.checked = {name: 0 for name in DOCUMENTS}
        self.failures = []
        self.seen = set()  # "document:member" of every array member seen non-empty

    @staticmethod
    def _validator(schema, schemas):
        try:  # jsonschema 4.18 and later resolve references through a registry
            from referencing import Registry, Resource

            registry = Registry().with_resources(
                (s["$id"], Resource.from_contents(s)) for s in schemas)
            return jsonschema.Draft202012Validator(schema, registry=registry)
        except ImportError:  # Debian 12's 4.10
            store = {s["$id"]: s for s in schemas}
            resolver = jsonschema.RefResolver.from_schema(schema, store=store)
            return jsonschema.Draft202012Validator(schema, resolver=resolver)

    def run(self, args, statuses=(0, 1)):
        done = subprocess.run([self.procleak] + args, capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode not in statuses:
            raise SystemExit(f"procleak {' '.join(args)}: exit {done.returncode}: {done.stderr}")
        return done.stdout

    def errors(self, doc):
        validator = self.validators.get(doc.get("schema") if isinstance(doc, dict) else None)
        if validator is None:
            return [f"no schema named {doc.get('schema')!r}"]
        return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:300]}"
                for e in validator.iter_errors(doc)]

    def check(self, what, doc, want):
        name = doc.get("schema")
        found = self.errors(doc)
        if name != want:
            found.append(f"schema is {name!r}, not {want!r}")
        version = doc.get("procleak_version")
        if (version is not None or name != "procleak.scan/1") and version != self.version:
            found.append(f"procleak_version {version!r} is not --version's {self.version!r}")
        if found:
            self.failures.append(f"{what}: " + "; ".join(found[:5]))
        self.checked[want] = self.checked.get(want, 0) + 1
        self._note_arrays(want, doc)
        return doc

    def _note_arrays(self, prefix, value):
        if isinstance(value, dict):
            for key, member in value.items():
                if isinstance(member, list) and member:
                    self.seen.add(f"{prefix}:{key}")
                self._note_arrays(prefix, member)
        elif isinstance(value, list):
            for member in value:
                self._note_arrays(prefix, member)

    def document(self, args, want, statuses=(0, 1)):
        return self.check("procleak " + " ".join(args), json.loads(self.run(args, statuses)), want)

    def lines(self, args, want):
        out = self.run(args).splitlines()
        if not out:
            self.failures.append(f"procleak {' '.join(args)}: no output")
        return [self.check(f"procleak {' '.join(args)} line {i + 1}", json.loads(line), want)
                for i, line in enumerate(out)]


def over_time(c, tmp, name, root):
    """watch, record, replay --list, replay and diff of two recorded moments."""
    c.lines(["watch", "--json", "--count", "2", "--interval", "0"] + root, "procleak.scan/1")
    plr = str(tmp / f"{name}.plr")
    c.run(["record", "-o", plr, "--interval", "0", "--count", "3"] + root, (0,))
    moments = c.document(["replay", plr, "--list", "--json"], "procleak.moments/1")
    if len(moments.get("moments", [])) != 3 or moments.get("damage") is not None:
        c.failures.append(f"{plr}: want 3 moments and no damage: {moments}")
    c.document(["replay", plr, "--json", "--index", "0"], "procleak.scan/1")
    c.document(["diff", "--json", plr + "@#0", plr], "procleak.diff/1")
    # A record cut inside its last frame: "damage" is a string.
    damaged = tmp / f"{name}-damaged.plr"
    data = pathlib.Path(plr).read_bytes()
    damaged.write_bytes(data[:-7])
    moments = c.document(["replay", str(damaged), "--list", "--json"], "procleak.moments/1")
    if not isinstance(moments.get("damage"), str):
        c.failures.append(f"{damaged}: damage is {moments.get('damage')!r}, want a warning")


def fixtures(c, tmp, data_dir):
    trees = sorted(p for p in data_dir.iterdir() if (p / "proc").is_dir())
    if len(trees) < 5:
        raise SystemExit(f"{data_dir}: only {len(trees)} fixture trees")
    saved = []
    for tree in trees:
        root = ["--root", str(tree)]
        path = tmp / f"{tree.name}.json"
        path.write_text(json.dumps(c.document(["scan", "--json"] + root, "procleak.scan/1")))
        saved.append(path)
        c.document(["scan", "--json", "--pss"] + root, "procleak.scan/1")
        c.document(["reap", "--json"] + root, "procleak.reap/1")
    # Every pair of neighbours: containers, groups and findings appear and go away.
    for a, b in zip(saved, saved[1:] + saved[:1]):
        c.document(["diff", "--json", str(a), str(b)], "procleak.diff/1")
    incident = ["--root", str(data_dir / "incident")]
    scan = json.loads(saved[[t.name for t in trees].index("incident")].read_text())
    busiest = max(scan["processes"], key=lambda p: p["descendants"])["pid"]
    c.document(["scan", "--json", "--pid", str(busiest)] + incident, "procleak.scan/1")
    over_time(c, tmp, "incident", incident)
    return saved


def live(c, tmp, saved):
    c.document(["scan", "--json"], "procleak.scan/1")
    c.document(["scan", "--json", "--pss"], "procleak.scan/1")
    c.document(["reap", "--json"], "procleak.reap/1")
    c.document(["diff", "--json", str(saved[0]), "live"], "procleak.diff/1")
    over_time(c, tmp, "live", [])
    reap_own_chains(c)


def reap_own_chains(c):
    """reap --apply on three `sh -c` chains of this script's own, each in its own session."""
    token = "schema-" + uuid.uuid4().hex[:12]
    script = f": {token}; sleep 120; true"
    started = []
    try:
        for _ in range(3):
            started.append(subprocess.Popen(["sh", "-c", script], start_new_session=True))
            time.sleep(0.3)  # separate spawn events: a leak, not one batch
        deadline = time.time() + 10
        while time.time() < deadline and not all(_has_child(p.pid) for p in started):
            time.sleep(0.05)
        dry = c.document(["reap", "--json", "--signature", token], "procleak.reap/1")
        if len(dry.get("groups", [])) != 1:
            c.failures.append(f"reap --signature {token}: want 1 group: {dry}")
            return
        pids = [a for p in started[:2] for a in ("--pid", str(p.pid))]
        done = c.document(["reap", "--json", "--apply", "--grace", "1", "--signature", token]
                          + pids, "procleak.reap/1")
        results = {p["result"] for g in done["groups"] for s in g["stop"] for p in s["processes"]}
        if done.get("mode") != "apply" or not results <= {"terminated", "killed", "gone"}:
            c.failures.append(f"reap --apply: mode {done.get('mode')}, results {results}")
    finally:
        for p in started:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


def _has_child(pid):
    try:
        children = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return False
    return bool(children.split())


def rejects(c, doc, change, what):
    """The schema must reject `doc` after `change`: a renamed or mistyped member."""
    bad = copy.deepcopy(doc)
    change(bad)
    if not c.errors(bad):
        c.failures.append(f"the {doc['schema']} schema accepts {what}")


def strictness(c, saved, data_dir):
    scan = json.loads(saved[[p.stem for p in saved].index("incident")].read_text())
    p0 = lambda d: d["processes"][0]  # noqa: E731
    rejects(c, scan, lambda d: p0(d).__setitem__("starttime_ticks", p0(d).pop("starttime")),
            "starttime renamed starttime_ticks")
    rejects(c, scan, lambda d: p0(d).__setitem__("cmdline", " ".join(p0(d)["cmdline"])),
            "cmdline as a string")
    rejects(c, scan, lambda d: p0(d).__setitem__("container", ""), "a host container of \"\"")
    rejects(c, scan, lambda d: d["host"].__setitem__("processes", "634"), "a count as a string")
    rejects(c, scan, lambda d: d["findings"][0].__setitem__("kind", "duplicate_chains"),
            "a misspelt finding kind")
    rejects(c, scan, lambda d: d["cgroups"][0].pop("memory_bytes"), "a missing member")
    rejects(c, scan, lambda d: d["groups"][0]["chains"][0].__setitem__("pid", 1),
            "an unknown member")

    reap = json.loads(c.run(["reap", "--json", "--root", str(data_dir / "incident")]))
    proc = lambda d: d["groups"][0]["stop"][0]["processes"][0]  # noqa: E731
    rejects(c, reap, lambda d: proc(d).__setitem__("argv", proc(d)["cmdline"]),
            "argv beside cmdline")
    rejects(c, reap, lambda d: proc(d).__setitem__("cmdline", " ".join(proc(d)["cmdline"])),
            "cmdline as a string")
    rejects(c, reap, lambda d: proc(d).__setitem__("starttime_ticks", proc(d).pop("starttime")),
            "starttime renamed starttime_ticks")
    rejects(c, reap, lambda d: d["groups"][0].__setitem__("container", ""),
            "a host container of \"\"")
    rejects(c, reap, lambda d: d.pop("procleak_version"), "no procleak_version")

    diff = json.loads(c.run(["diff", "--json", str(saved[0]), str(saved[1])]))
    rejects(c, diff, lambda d: d.__setitem__("finding_new", d.pop("findings_new")),
            "findings_new renamed")
    rejects(c, diff, lambda d: d.__setitem__("extra", 1), "an unknown top-level member")
    rejects(c, diff, lambda d: d["findings_new"][0].pop("action") if d["findings_new"]
            else d.pop("to"), "a finding without its action")


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    procleak, schema_dir, data_dir = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(
        sys.argv[3])
    c = Checker(procleak, schema_dir)
    with tempfile.TemporaryDirectory(prefix="procleak-schema-") as tmp:
        saved = fixtures(c, pathlib.Path(tmp), data_dir)
        live(c, pathlib.Path(tmp), saved)
        strictness(c, saved, data_dir)
    # Every array of every document held at least one element somewhere: its items were checked.
    want = {"procleak.scan/1:" + k for k in ("cgroups", "processes", "containers", "groups",
                                               "findings", "chains", "cmdline")}
    want |= {"procleak.diff/1:" + k for k in ("processes_started", "processes_ended",
                                               "chains_started", "chains_ended", "groups",
                                               "containers", "findings_new",
                                               "findings_resolved")}
    want |= {"procleak.reap/1:" + k for k in ("groups", "kept", "stop", "processes", "order")}
    want |= {"procleak.moments/1:moments"}
    for missing in sorted(want - c.seen):
        c.failures.append(f"no document had a non-empty {missing}: its items went unchecked")
    for failure in c.failures:
        print(failure)
    print(", ".join(f"{n} {name}" for name, n in c.checked.items()) + " documents checked")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
