# SPDX-License-Identifier: Apache-2.0
# A parallel build: `make -f jobs.mk -j4 JOB='CMD'` runs the same long command for 4 targets at
# once, as `make -j` runs one compiler per target.
all: t1 t2 t3 t4
t1 t2 t3 t4:
	$(JOB)
.PHONY: all t1 t2 t3 t4
