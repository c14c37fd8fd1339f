// SPDX-License-Identifier: Apache-2.0
// `floor`: the least a process scan can cost here, for bench/compare.py. Lists /proc once, then
// two threads each read /proc/PID/stat and /proc/PID/cmdline (one read(2) each, opened relative
// to a /proc descriptor, as procleak does) of every other pid, and nothing more: no parsing, no
// output but the number of processes read.
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int proc_fd = -1;
static int* pids = NULL;
static size_t npids = 0;

struct Part {
  size_t first;
  size_t read;
};

static int ReadOne(int pid, const char* name, char* buf, size_t size) {
  char path[64];
  snprintf(path, sizeof(path), "%d/%s", pid, name);
  int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, size);
  close(fd);
  return n >= 0;
}

static void* Reader(void* arg) {
  struct Part* part = arg;
  char buf[8192];
  for (size_t i = part->first; i < npids; i += 2) {
    if (ReadOne(pids[i], "stat", buf, sizeof(buf)) && ReadOne(pids[i], "cmdline", buf, sizeof(buf)))
      part->read++;
  }
  return NULL;
}

int main(void) {
  proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = proc_fd < 0 ? NULL : fdopendir(dup(proc_fd));
  if (dir == NULL) {
    perror("floor: /proc");
    return 1;
  }
  size_t cap = 1024;
  pids = malloc(cap * sizeof(int));
  for (struct dirent* e; (e = readdir(dir)) != NULL;) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    if (npids == cap) pids = realloc(pids, (cap *= 2) * sizeof(int));
    pids[npids++] = atoi(e->d_name);
  }
  closedir(dir);
  struct Part parts[2] = {{0, 0}, {1, 0}};
  pthread_t other;
  if (pthread_create(&other, NULL, Reader, &parts[1]) != 0) return 1;
  Reader(&parts[0]);
  pthread_join(other, NULL);
  printf("%zu\n", parts[0].read + parts[1].read);
  return 0;
}
