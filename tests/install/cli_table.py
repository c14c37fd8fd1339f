# SPDX-License-Identifier: Apache-2.0
"""The commands and options src/cli/args.cc accepts, from its kCommands and kScanLike tables."""

import re


def _block(text, name):
    start = re.search(r"\b" + name + r"\[\]\s*=\s*\{", text)
    if not start:
        raise SystemExit(f"args.cc: no {name}[] table")
    end = text.find("};", start.end())
    return text[start.end():end]


def read_tables(path):
    """Returns ({command: [options]}, [scan-like options])."""
    text = open(path, encoding="utf-8").read()
    scan_like = re.findall(r'"(-[^"]+)"', _block(text, "kScanLike"))
    commands = {}
    current = None
    # An entry starts with `{"name",`; every option literal after it belongs to it.
    token = re.compile(r'\{\s*"([a-z][a-z-]*)"|"(-{1,2}[a-z][a-z-]*)"')
    for m in token.finditer(_block(text, "kCommands")):
        if m.group(1):
            current = commands.setdefault(m.group(1), [])
        elif current is not None:
            current.append(m.group(2))
    if not commands or not scan_like:
        raise SystemExit(f"{path}: could not read kCommands/kScanLike")
    return commands, scan_like
