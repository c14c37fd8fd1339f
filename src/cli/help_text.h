// SPDX-License-Identifier: Apache-2.0
#pragma once
// The text `procleak help` prints (man/procleak.1 has the whole story).

namespace procleak {

inline constexpr const char* kHelpText = R"(usage: procleak COMMAND [OPTIONS]

Explains where a Linux host's processes and memory went, from /proc and
/sys/fs/cgroup alone.

commands:
  scan        report host memory, containers, duplicate spawn chains and other
              findings with evidence and actions, cgroups, largest processes
  watch       rescan every --interval and show what changed: chains started and
              ended, spawn rates, memory slopes, new findings
  record -o FILE
              append snapshots to FILE (compressed, crash-safe) every --interval
  replay FILE render a recorded moment exactly as scan would; --list the moments
  diff A B    what changed from A to B; each is FILE@TIME (a record moment),
              FILE@#N (its moment N), FILE (its last moment), a scan JSON file,
              or live
  export --prometheus
              metrics in the node_exporter textfile format (-o FILE: atomically)
  reap        stop the surplus chains that duplicate_chain and orphaned_chain
              findings name: a dry run unless --apply
  help        show this text
  --version   print the version

options of scan, watch, record, export and diff (for "live"):
  --root DIR  read DIR/proc and DIR/sys/fs/cgroup instead of / (fixture trees,
              a host's file system mounted elsewhere)
  --pss       also read PSS from /proc/PID/smaps_rollup (slower, exact sharing)
  --docker-root DIR
              Docker's data root, read under --root (default /var/lib/docker)
  --rules FILE
              add rules from FILE (see procleak-rules(5)) before the built-in
              ones (also for replay and diff)
  --no-sandbox
              do not install the seccomp filter that allows only reading
              (a forbidden system call otherwise ends procleak with status 2)

scan and replay:
  --json      print one JSON document (schema procleak.scan/1)
  --tree      print the process tree with subtree process counts and RSS
  --pid PID   limit the tree and the process list to PID's subtree
  --fail-on SEVERITY
              exit 1 when a finding at or above SEVERITY exists: critical,
              warning (default), info or never
  --sort KEY  order of the containers, cgroups and processes tables: memory
              (default: cgroup charge, else RSS), rss, pss, count, pid, name
  --top N     rows per table (default 15 containers and cgroups, 10
              processes), or all
  --wide      cut nothing (default: fit the terminal, else $COLUMNS, else 80)
  --container NAME|ID
              show only this container (name, id or id prefix)
  --user NAME|UID
              show only this user's processes (NAME from ROOT/etc/passwd)
  --cgroup PATH
              show only processes in cgroup PATH and below
              (these six shape the text report: not with --json)

watch and record:
  --interval DURATION
              time between samples: 10s, 5m, 1h, 0 (back to back); default 5s
              for watch, 10s for record
  --count N   stop after N samples (default: until interrupted)
  --json      (watch) one procleak.scan/1 document per sample per line, with a
              "changes" section
  --duration DURATION
              (record) stop after this long, e.g. 24h or 1d
  -o FILE     (record) the record file; appended to if it exists
  --wait      (record) while another procleak records to FILE, wait for it to
              finish, then append (default: exit 2 at once)

replay:
  --list      list the recorded moments (index, time, processes, size)
  --index N   the moment with index N (see --list)
  --at TIME   the last moment at or before TIME (2026-11-24T10:00:00Z;
              without a zone: UTC); default: the last moment

diff:
  --json      print one JSON document (schema procleak.diff/1)

export:
  --prometheus
              the node_exporter textfile format
  -o FILE     write FILE atomically (a temporary file renamed over it)
              instead of standard output

reap (also takes --root (dry run only), --docker-root, --rules, --pss):
  --finding KIND
              only chains of duplicate_chain or orphaned_chain findings
              (repeatable; default both)
  --signature TEXT
              only groups whose signature contains TEXT
  --container NAME|ID
              only groups in this container (name, id or id prefix)
  --pid PID   only the chain holding PID (repeatable)
  --all       every group (--apply needs --signature, --container, --pid or
              this)
  --keep N|newest|oldest
              chains to keep per group: the N newest, 1 newest or 1 oldest;
              default the expected count of a rule, else 1 newest
  --apply     signal: SIGTERM leaves first, SIGKILL after --grace (otherwise
              only print what would be signalled)
  --grace SEC seconds between SIGTERM and SIGKILL (default 5)
  --json      print one JSON document (schema procleak.reap/1)

exit status: 0 no finding at --fail-on or above (diff: no change), 1 such
findings (diff: changes; reap: a process not stopped), 2 error. See
procleak(1).
)";

}  // namespace procleak
