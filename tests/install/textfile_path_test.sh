#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# README.md, the man pages and contrib/ name one Prometheus textfile path: the directory Debian's
# prometheus-node-exporter reads (its --collector.textfile.directory default). A second spelling
# (node_exporter's upstream examples use /var/lib/node_exporter) sends an operator's metrics where
# no collector looks.
# Usage: textfile_path_test.sh SOURCE_ROOT
set -u
src=$1
want=/var/lib/prometheus/node-exporter/procleak.prom
cd "$src" || exit 1
# Every absolute path ending in .prom, roff's \- read as -.
paths=$(sed 's/\\-/-/g' README.md man/*.[0-9] $(find contrib -type f) |
        grep -o '/[A-Za-z0-9_./-]*\.prom\b' | sort -u)
[ -n "$paths" ] || { echo "FAIL: no textfile path found"; exit 1; }
if [ "$paths" != "$want" ]; then
  echo "FAIL: textfile paths other than $want:"
  echo "$paths" | grep -vx "$want"
  exit 1
fi
for f in README.md man/procleak.1 contrib/cron/procleak contrib/systemd/procleak-export.service; do
  sed 's/\\-/-/g' "$f" | grep -qF "$want" || { echo "FAIL: $f names no textfile path"; exit 1; }
done
echo "one textfile path: $want"
