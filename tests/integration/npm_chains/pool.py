# SPDX-License-Identifier: Apache-2.0
# A pre-forking pool, the legitimate duplicate procleak must not flag: one master forks WORKERS
# copies of itself at once (gunicorn/nginx style) and waits on them.
#
#   python3 pool.py WORKERS
#
# Prints "worker PID" per fork. Every process sleeps until killed, or for 10 minutes at most
# (SIGALRM), should the test that started it die first.
import os
import signal
import sys

LIFETIME_S = 600

workers = int(sys.argv[1])
signal.alarm(LIFETIME_S)
for _ in range(workers):
    pid = os.fork()
    if pid == 0:
        signal.alarm(LIFETIME_S)  # a child does not inherit the pending alarm
        while True:
            signal.pause()
    print(f"worker {pid}", flush=True)
while True:
    os.wait()
