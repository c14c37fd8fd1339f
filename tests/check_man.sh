#!/bin/sh
# Fails when groff warns about any man page given, or man cannot render it.
status=0
for page in "$@"; do
  warnings=$(LC_ALL=C groff -ww -z -man "$page" 2>&1)
  if [ -n "$warnings" ]; then
    echo "$page: groff warns:"; echo "$warnings"; status=1
  fi
  if ! LC_ALL=C MANWIDTH=80 man -l "$page" >/dev/null 2>&1 && command -v man >/dev/null; then
    echo "$page: man -l failed"; status=1
  fi
done
[ "$status" = 0 ] && echo "checked $# man pages"
exit $status
