// SPDX-License-Identifier: Apache-2.0
// `sleepers N`: N idle processes for bench/compare.py, in one process group that one kill ends.
//
// Children are forked without exec, so they share every page with the parent and cost the kernel
// a task and page tables, nothing more; each is killed by the kernel if the parent dies
// (PR_SET_PDEATHSIG). The parent prints "ready <pgid>" once every child has set that up, then waits
// for SIGTERM, SIGINT or SIGHUP (or its own caller's death), kills the group and reaps it.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void KillGroupAndReap(void) {
  // The parent keeps the stop signals blocked, so SIGKILL to the group would end it before it
  // reaps; SIGTERM reaches only the children, which run with the default action.
  kill(-getpgrp(), SIGTERM);
  while (wait(NULL) > 0 || errno == EINTR) {
  }
}

static void Child(int ready_fd, pid_t parent, const sigset_t* old_mask) {
  // If the parent died before the prctl, the death signal will never come: leave now.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(1);
  sigprocmask(SIG_SETMASK, old_mask, NULL);
  char byte = 'r';
  while (write(ready_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  // Hold no descriptor of the caller's: a pipe reader would otherwise never see end-of-file.
  close(ready_fd);
  close(STDIN_FILENO);
  close(STDOUT_FILENO);
  close(STDERR_FILENO);
  for (;;) pause();
}

int main(int argc, char** argv) {
  char* end = NULL;
  long n = argc == 2 ? strtol(argv[1], &end, 10) : -1;
  if (argc != 2 || *end != '\0' || n < 0 || n > 1000000) {
    fprintf(stderr, "usage: sleepers N   (0 <= N <= 1000000)\n");
    return 2;
  }
  // setsid fails when the caller already made us a group leader; that group is ours alone too.
  if (setsid() < 0 && getpgrp() != getpid()) {
    perror("sleepers: setsid");
    return 1;
  }
  // A caller that ignores these (nohup, `cmd &` in a script) must not leave immortal children.
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  sigset_t stop, old_mask;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGHUP);
  sigprocmask(SIG_BLOCK, &stop, &old_mask);
  // A caller killed with SIGKILL cannot clean up: its death stops us like a SIGTERM would.
  pid_t caller = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != caller) {
    fprintf(stderr, "sleepers: caller gone before start\n");
    return 1;
  }

  int ready[2];
  if (pipe(ready) != 0) {
    perror("sleepers: pipe");
    return 1;
  }
  pid_t self = getpid();
  for (long i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid == 0) Child(ready[1], self, &old_mask);
    if (pid < 0) {
      fprintf(stderr, "sleepers: fork %ld of %ld: %s\n", i + 1, n, strerror(errno));
      KillGroupAndReap();
      return 1;
    }
  }
  close(ready[1]);
  // One byte per child; a pipe holds 64 KiB, and a child blocked on a full pipe resumes as we read.
  char buf[4096];
  long got = 0;
  while (got < n) {
    ssize_t r = read(ready[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += r;
  }
  close(ready[0]);
  if (got < n) {
    fprintf(stderr, "sleepers: only %ld of %ld children started\n", got, n);
    KillGroupAndReap();
    return 1;
  }
  printf("ready %d\n", (int)getpgrp());
  fflush(stdout);

  int sig = 0;
  while (sigwait(&stop, &sig) != 0) {
  }
  KillGroupAndReap();
  return 0;
}
