# SPDX-License-Identifier: Apache-2.0
# Stands in for a terminal: starts a shell (`sh`, reading commands from the terminal) and types
# LINE into it, as a user would, then keeps the terminal open. Each terminal the test opens has
# a name of its own (a link to this file), as unrelated terminals have unrelated parents.
#
#   python3 TERMINAL LINE
#
# SIGALRM ends it after 10 minutes; the shell then reads end of input and exits.
import signal
import subprocess
import sys

signal.alarm(600)
shell = subprocess.Popen(["sh"], stdin=subprocess.PIPE)
shell.stdin.write((sys.argv[1] + "\n").encode())
shell.stdin.flush()
print(f"shell {shell.pid}", flush=True)
shell.wait()
