// SPDX-License-Identifier: Apache-2.0
#pragma once
// What `procleak help` and `procleak CMD --help` say of each command and option: one line per
// option here, the options each command takes in args.cc (kCommands); help_text.cc makes both
// texts from the two, and cli_conventions_test checks that neither names what the other lacks.

namespace procleak {

struct CommandHelp {
  const char* name;
  const char* usage;    // what follows "procleak NAME" in its usage line
  const char* summary;  // wrapped to 80 columns
};

inline constexpr CommandHelp kCommandHelp[] = {
    {"scan", "[OPTIONS]",
     "Report host memory, containers, duplicate spawn chains and other findings with evidence and "
     "actions, cgroups and the largest processes."},
    {"watch", "[OPTIONS]",
     "Rescan every --interval and show what changed: chains started and ended, spawn rates, "
     "memory slopes, new findings."},
    {"record", "-o FILE [OPTIONS]",
     "Append snapshots to FILE (compressed, crash-safe) every --interval."},
    {"replay", "[OPTIONS] FILE",
     "Render a moment of the record FILE exactly as scan would (the last one by default), or "
     "--list its moments."},
    {"diff", "[OPTIONS] A B",
     "What changed from A to B. Each is FILE@TIME (a record's moment), FILE@#N (its moment N), "
     "FILE (its last moment), a scan JSON file, or live."},
    {"export", "--prometheus [OPTIONS]",
     "Print metrics in the node_exporter textfile format, or write them atomically to -o FILE."},
    {"reap", "[OPTIONS]",
     "Stop the surplus chains that duplicate_chain and orphaned_chain findings name: a dry run "
     "unless --apply."},
};

struct OptionHelp {
  const char* option;     // as kCommands names it; "-o, --output" for two names of one option
  const char* commands;   // the commands this line is for, "scan replay"; "" any other
  const char* value;      // "PID"; "" for a flag
  const char* text;       // wrapped to 80 columns
  bool overview = false;  // also in `procleak help`, as an option most commands take
};

// An option's line for a command is the first one naming both, else the one for "".
inline constexpr OptionHelp kOptionHelp[] = {
    {"--json", "scan replay", "", "print one JSON document (schema procleak.scan/1)"},
    {"--json", "watch", "",
     "one procleak.scan/1 document per sample per line, with a \"changes\" section"},
    {"--json", "diff", "", "print one JSON document (schema procleak.diff/1)"},
    {"--json", "reap", "", "print one JSON document (schema procleak.reap/1)"},
    {"--tree", "", "", "print the process tree with subtree process counts and RSS"},
    {"--pid", "reap", "PID", "only the chain holding PID (repeatable)"},
    {"--pid", "", "PID", "limit the tree and the process list to PID's subtree"},
    {"--fail-on", "", "SEVERITY",
     "exit 1 when a finding at or above SEVERITY exists: critical, warning (default), info or "
     "never"},
    {"--interval", "watch", "DURATION",
     "time between samples: 10s, 5m, 1h, 0 (back to back); default 5s"},
    {"--interval", "", "DURATION",
     "time between samples: 10s, 5m, 1h, 0 (back to back); default 10s"},
    {"--count", "", "N", "stop after N samples (default: until interrupted)"},
    {"--duration", "", "DURATION", "stop after this long, e.g. 24h or 1d"},
    {"-o, --output", "record", "FILE",
     "the record file; appended to if it exists (not -: a record is a file)"},
    {"-o, --output", "", "FILE",
     "write FILE atomically (a temporary file renamed over it); - or none: standard output"},
    {"--wait", "", "",
     "while another procleak records to FILE, wait for it to finish, then append (default: exit "
     "2 at once)"},
    {"--list", "", "", "list the recorded moments (index, time, processes, size)"},
    {"--index", "", "N", "the moment with index N (see --list)"},
    {"--at", "", "TIME",
     "the last moment at or before TIME (2026-11-24T10:00:00Z; without a zone: UTC); default: "
     "the last moment"},
    {"--prometheus", "", "", "the node_exporter textfile format"},
    {"--finding", "", "KIND",
     "only chains of duplicate_chain or orphaned_chain findings (repeatable; default both)"},
    {"--signature", "", "TEXT", "only groups whose signature contains TEXT"},
    {"--sort", "", "KEY",
     "order of the containers, cgroups and processes tables: memory (default: cgroup charge, "
     "else RSS), rss, pss, count, pid, name"},
    {"--top", "", "N|all", "rows per table (default 15 containers and cgroups, 10 processes)"},
    {"--wide", "", "", "cut nothing (default: fit the terminal, else $COLUMNS, else 80)"},
    {"--container", "scan replay", "NAME|ID",
     "show only this container (name, id or id prefix); not with --json"},
    {"--user", "", "NAME|UID", "show only this user's processes (NAME from ROOT/etc/passwd)"},
    {"--cgroup", "", "PATH", "show only processes in cgroup PATH and below"},
    {"--container", "reap", "NAME|ID",
     "only groups in this container (name, id or id prefix); no such container is an error"},
    {"--all", "", "", "every group (--apply needs --signature, --container, --pid or this)"},
    {"--keep", "", "N|newest|oldest",
     "chains to keep per group: the N newest, 1 newest or 1 oldest; default the expected count "
     "of a rule, else 1 newest"},
    {"--apply", "", "",
     "signal: SIGTERM leaves first, SIGKILL after --grace (otherwise only print what would be "
     "signalled)"},
    {"--grace", "", "SEC", "seconds between SIGTERM and SIGKILL (default 5)"},
    {"--root", "reap", "DIR", "read DIR/proc and DIR/sys/fs/cgroup instead of / (dry run only)"},
    {"--root", "diff", "DIR", "read live moments from DIR/proc and DIR/sys/fs/cgroup instead of /"},
    {"--root", "", "DIR",
     "read DIR/proc and DIR/sys/fs/cgroup instead of / (fixture trees, a host's file system "
     "mounted elsewhere)",
     true},
    {"--docker-root", "", "DIR", "Docker's data root, read under --root (default /var/lib/docker)",
     true},
    {"--pss", "", "", "also read PSS from /proc/PID/smaps_rollup (slower, exact sharing)", true},
    {"--rules", "", "FILE",
     "add rules from FILE (see procleak-rules(5)) before the built-in ones; repeatable, read "
     "after the default files /etc/procleak/rules.d/*.rules and $XDG_CONFIG_HOME/procleak/rules, "
     "a later file taking precedence",
     true},
    {"--no-default-rules", "", "", "read only the --rules files, not the default ones", true},
    {"--no-sandbox", "", "",
     "do not install the seccomp filter that allows only reading (a forbidden system call "
     "otherwise ends procleak with status 2)",
     true},
    {"--color", "", "WHEN",
     "colour the text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or "
     "never",
     true},
    {"-h, --help", "", "", "print this command's usage and options"},
};

}  // namespace procleak
