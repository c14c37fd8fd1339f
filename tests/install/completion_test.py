#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the bash completion offers every command and option args.cc accepts, and option values.

Usage: completion_test.py SRC/cli/args.cc COMPLETION_FILE
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_table import read_tables  # noqa: E402


def complete(completion, words):
    """COMPREPLY for the command line `words` (the last one is the word being completed)."""
    script = (
        'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
        'COMP_LINE="$*"; _procleak; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    out = subprocess.run(["bash", "-c", script, "bash", completion, *words],
                         check=True, capture_output=True, text=True).stdout
    return set(out.split())


def main():
    args_cc, completion = sys.argv[1], sys.argv[2]
    if not shutil.which("bash"):
        print("no bash: skipped")
        return 77
    commands, scan_like = read_tables(args_cc)
    failures = []

    def expect(words, wanted):
        got = complete(completion, words)
        missing = sorted(set(wanted) - got)
        if missing:
            failures.append(f"procleak {' '.join(words)}<TAB>: missing {' '.join(missing)}")

    expect(["procleak", ""], list(commands) + ["help"])
    for command, options in commands.items():
        expect(["procleak", command, "-"], options)
    expect(["procleak", "scan", "-"], scan_like)
    expect(["procleak", "scan", "--fail-on", ""], ["critical", "warning", "info", "never"])
    expect(["procleak", "scan", "--fail-on", "=", ""], ["critical", "warning", "info", "never"])
    if "reap" in commands:
        expect(["procleak", "reap", "--keep", ""], ["newest", "oldest"])
        expect(["procleak", "reap", "--finding", ""], ["duplicate_chain", "orphaned_chain"])
    # File operands and file-valued options complete names in the current directory.
    here = sorted(os.listdir("."))
    if here:
        for words in (["procleak", "replay", ""], ["procleak", "diff", ""],
                      ["procleak", "scan", "--rules", ""], ["procleak", "record", "-o", ""]):
            expect(words, here[:1])

    for f in failures:
        print(f)
    total = sum(len(o) for o in commands.values())
    print(f"{len(commands)} commands, {total} command options, {len(scan_like)} scan options: "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
