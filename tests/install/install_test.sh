#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `meson install` into a temporary DESTDIR, then builds README.md's Embedding example against the
# installed headers, libprocleak.a and procleak.pc exactly as the README says, runs it on the
# incident fixture and checks what it prints. Also links the whole archive, so an object missing
# from libprocleak.a, or a library missing from procleak.pc, fails here.
# Usage: install_test.sh MESON BUILD_ROOT SOURCE_ROOT PREFIX LIBDIR B_SANITIZE STRIP CXX...
set -u
meson=$1 build=$2 src=$3 prefix=$4 libdir=$5 sanitize=$6 strip=$7
shift 7  # the rest is the C++ compiler command
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$meson" install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet || fail "meson install"
root=$tmp/root$prefix
case $libdir in /*) lib=$tmp/root$libdir ;; *) lib=$root/$libdir ;; esac

# What an embedding tool and a user of the command get.
for f in bin/procleak \
    include/procleak/snapshot.h include/procleak/scan.h include/procleak/analysis.h \
    include/procleak/diff.h include/procleak/record.h include/procleak/json.h \
    include/procleak/rules.h \
    include/procleak/version.h \
    share/man/man1/procleak.1 share/man/man5/procleak-rules.5 share/man/man5/procleak-record.5 \
    share/man/man3/libprocleak.3 share/bash-completion/completions/procleak \
    share/procleak/schema/scan-1.schema.json share/procleak/schema/diff-1.schema.json \
    share/procleak/schema/reap-1.schema.json share/procleak/schema/moments-1.schema.json; do
  [ -f "$root/$f" ] || fail "not installed: $prefix/$f"
done
[ -f "$lib/libprocleak.a" ] || fail "not installed: libprocleak.a in $lib"
pc=$lib/pkgconfig/procleak.pc
[ -f "$pc" ] || fail "not installed: $pc"
# With strip=true (the default) the binary has no symbols and the archive no debug information.
if [ "$strip" = true ]; then
  readelf -S "$root/bin/procleak" | grep -q '\.symtab\|\.debug_' && fail "bin/procleak is not stripped"
  readelf -S "$lib/libprocleak.a" | grep -q '\.debug_' && fail "libprocleak.a has debug information"
fi
# Every header a public header includes is installed or comes from a dependency (absl, std).
for h in "$root"/include/procleak/*.h; do
  for inc in $(sed -n 's/^#include "\(procleak\/[^"]*\)"/\1/p' "$h"); do
    [ -f "$root/include/$inc" ] || fail "${h##*/} includes $inc, which is not installed"
  done
  if grep -q '^#include "\(nlohmann\|re2\|fmt\|zstd\|src\|render\|base\|signature\)' "$h"; then
    fail "${h##*/} includes a private header"
  fi
done

# The .pc names the temporary prefix instead of the real one (only ours: abseil's stay as they are).
sed -i "s#^prefix=.*#prefix=$root#" "$pc"
export PKG_CONFIG_PATH="$lib/pkgconfig"
flags=$(pkg-config --cflags --libs --static procleak) || fail "pkg-config procleak"
echo "pkg-config --cflags --libs --static procleak: $flags"
# A sanitized library needs its runtime when linked.
san=""
[ "$sanitize" != none ] && san="-fsanitize=$sanitize"

# The README's program, as written: the ```cpp block under "## Embedding".
awk '/^## /{inside = ($0 == "## Embedding")} inside && /^```cpp$/{code=1; next}
     code && /^```$/{exit} code{print}' "$src/README.md" > "$tmp/example.cc"
[ -s "$tmp/example.cc" ] || fail "README.md: no \`\`\`cpp block under ## Embedding"
grep -q 'g++ -std=c++20 example.cc $(pkg-config --cflags --libs --static procleak)' \
  "$src/README.md" || fail "README.md: the build line is not the one this test runs"
# shellcheck disable=SC2086  # flags are words
"$@" -std=c++20 $san "$tmp/example.cc" -o "$tmp/example" $flags || fail "example.cc does not build"
"$tmp/example" "$src/tests/data/incident" > "$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/out"; fail "example exited $rc"; }
cat "$tmp/out"
grep -q '^634 processes' "$tmp/out" || fail "no '634 processes' line"
grep -q '^critical duplicate_chain: ' "$tmp/out" || fail "no duplicate_chain finding"
grep -q '^JSON: [0-9][0-9]* bytes' "$tmp/out" || fail "no JSON length"
grep -q '^critical restart_loop: ' "$tmp/out" || fail "no restart_loop finding"

# With a rules file: what the operator accepts is no longer found.
printf '# ops.rules\nignore signature "^npm exec "\nthreshold restart_loop_count 100\n' \
  > "$tmp/ops.rules"
"$tmp/example" "$src/tests/data/incident" "$tmp/ops.rules" > "$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/out"; fail "example with ops.rules exited $rc"; }
grep -q '^634 processes' "$tmp/out" || fail "with ops.rules: no '634 processes' line"
if grep -q 'duplicate_chain\|restart_loop' "$tmp/out"; then
  cat "$tmp/out"
  fail "with ops.rules: the ignored chains or the restart loop are still found"
fi
printf 'expct signature x count=1\n' > "$tmp/bad.rules"
"$tmp/example" "$src/tests/data/incident" "$tmp/bad.rules" > "$tmp/out" 2>&1
[ $? -eq 2 ] || fail "a bad rules file did not fail the example"
grep -qx "$tmp/bad.rules:1: unknown action 'expct'" "$tmp/out" || fail "bad rules: $(cat "$tmp/out")"

# Every object in the archive, not only those the example pulls in, links with the .pc's flags.
printf 'int main() { return 0; }\n' > "$tmp/empty.cc"
# shellcheck disable=SC2086
"$@" $san "$tmp/empty.cc" -o "$tmp/whole" -Wl,--whole-archive "$lib/libprocleak.a" \
  -Wl,--no-whole-archive $flags || fail "libprocleak.a has references procleak.pc does not resolve"
echo "installed, built the README example and linked the whole archive"
