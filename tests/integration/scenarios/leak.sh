# SPDX-License-Identifier: Apache-2.0
# A shell script that leaks: it starts `python3 CHILD` in the background 4 times, 0.5 s apart,
# and keeps them all, then waits for them (they end themselves after 10 minutes).
#
#   sh leak.sh CHILD
#
# Prints "spawned PID" per copy.
for i in 1 2 3 4; do
  [ "$i" = 1 ] || sleep 0.5
  python3 "$1" &
  echo "spawned $!"
done
wait
