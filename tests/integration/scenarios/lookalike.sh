# SPDX-License-Identifier: Apache-2.0
# Two different scripts that look alike: starts `python3 A`, and 1 s later `python3 B`, then
# waits for them (they end themselves after 10 minutes).
#
#   sh lookalike.sh A B
#
# Prints "spawned PID" per script.
python3 "$1" &
echo "spawned $!"
sleep 1
python3 "$2" &
echo "spawned $!"
wait
