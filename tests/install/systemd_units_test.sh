#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `systemd-analyze verify` on contrib/systemd's units (offline: PID 1 need not be systemd). Their
# ExecStart names the installed binary, so a copy pointing at the built one is checked. Any
# warning (an unknown key, a value systemd cannot parse) fails the test; verify itself only exits 1
# on errors.
# Usage: systemd_units_test.sh PROCLEAK_BIN CONTRIB_SYSTEMD_DIR
set -u
bin=$1 units=$2
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "systemd-analyze not found: skipped"; exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for unit in "$units"/*.service "$units"/*.timer; do
  sed "s#^ExecStart=/usr/local/bin/procleak #ExecStart=$bin #" "$unit" > "$tmp/${unit##*/}"
done
grep -q "^ExecStart=$bin " "$tmp"/*.service || { echo "ExecStart does not run procleak"; exit 1; }
cd "$tmp" || exit 1
out=$(systemd-analyze verify --man=no ./*.service ./*.timer 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
  echo "systemd-analyze verify (exit $rc):"; echo "$out"; exit 1
fi
echo "verified: $(ls)"
