# SPDX-License-Identifier: Apache-2.0
# A copy that only stays alive, whatever its arguments. The test links it under each copy's
# name; SIGALRM ends it after 10 minutes, should the test that started it die first.
import signal

signal.alarm(600)
while True:
    signal.pause()
