// SPDX-License-Identifier: Apache-2.0
// `measure CMD [ARG...]`: runs CMD and prints "<wall ns> <peak RSS KiB> <exit code>" on stderr.
//
// bench/compare.py cannot take peak RSS from its own wait4(): exec records the RSS high-water mark
// of the memory it replaces, so every child of a Python process reports at least Python's RSS.
// This small process forks the command itself, so the figure is the command's own. CMD's stdout is
// ours; its stdin and stderr are /dev/null.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long NowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: measure CMD [ARG...]\n");
    return 2;
  }
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    perror("measure: /dev/null");
    return 2;
  }
  pid_t self = getpid();
  long long start = NowNs();
  pid_t pid = fork();
  if (pid < 0) {
    perror("measure: fork");
    return 2;
  }
  if (pid == 0) {
    // Killed with us, so a stopped benchmark leaves no tool running.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != self) _exit(127);
    dup2(null_fd, STDIN_FILENO);
    dup2(null_fd, STDERR_FILENO);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      perror("measure: wait4");
      return 2;
    }
  }
  long long wall = NowNs() - start;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  fprintf(stderr, "%lld %ld %d\n", wall, usage.ru_maxrss, code);
  return 0;
}
