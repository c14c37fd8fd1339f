# SPDX-License-Identifier: Apache-2.0
# multiprocessing.Pool(WORKERS) with a long task per worker: the workers are forks of this
# process (no exec). SIGALRM ends every process after 10 minutes, should the test die first.
#
#   python3 mp_pool.py WORKERS
import multiprocessing
import signal
import sys
import time

if __name__ == "__main__":
    workers = int(sys.argv[1])
    signal.alarm(600)
    with multiprocessing.Pool(workers, initializer=signal.alarm, initargs=(600,)) as pool:
        pool.map_async(time.sleep, [600] * workers, chunksize=1)
        while True:
            signal.pause()
