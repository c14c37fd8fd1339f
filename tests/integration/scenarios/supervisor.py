# SPDX-License-Identifier: Apache-2.0
# A python supervisor that leaks: it starts `python3 SERVER --session <uuid4>` every INTERVAL_MS,
# COUNT times, and keeps every copy. Parent and copies share comm and exe; only argv differs.
#
#   python3 supervisor.py COUNT INTERVAL_MS SERVER
#
# Prints "spawned PID" per copy. SIGALRM ends it after 10 minutes.
import signal
import subprocess
import sys
import time
import uuid

count, interval_ms, server = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
signal.alarm(600)
copies = []
for i in range(count):
    if i:
        time.sleep(interval_ms / 1000)
    copy = subprocess.Popen([sys.executable, server, "--session", str(uuid.uuid4())],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    copies.append(copy)
    print(f"spawned {copy.pid}", flush=True)
while True:
    signal.pause()
