# SPDX-License-Identifier: Apache-2.0
# An ordinary script that leaves a `sleep 600` running behind it and exits: the sleep is
# reparented. Prints "left PID".
sleep 600 &
echo "left $!"
