# SPDX-License-Identifier: Apache-2.0
# A daemon that double-forks: fork, setsid, fork, and the intermediate processes exit. The daemon
# prints "daemon PID" and stays until killed, or SIGALRM after 10 minutes.
import os
import signal
import sys

if os.fork():
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
signal.alarm(600)
print(f"daemon {os.getpid()}", flush=True)
sys.stdout.close()
while True:
    signal.pause()
