// SPDX-License-Identifier: Apache-2.0
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"

namespace procleak {
namespace {

// Names for the SIGSYS handler, filled before the filter is loaded so that the handler only reads
// memory: resolving a name there would allocate, which a signal handler must not do.
constexpr int kNamedSyscalls = 512;
constexpr size_t kNameSize = 32;
char g_syscall_names[kNamedSyscalls][kNameSize];

void ResolveSyscallNames() {
  static bool resolved = false;
  if (resolved) return;
  for (int nr = 0; nr < kNamedSyscalls; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (name == nullptr) continue;
    strncpy(g_syscall_names[nr], name, kNameSize - 1);
    std::free(name);
  }
  resolved = true;
}

void (*volatile g_exit_hook)() = nullptr;

size_t Append(char* buf, size_t at, size_t size, const char* text) {
  while (*text != '\0' && at < size) buf[at++] = *text++;
  return at;
}

size_t AppendNumber(char* buf, size_t at, size_t size, long long n) {
  char digits[24];
  size_t len = 0;
  unsigned long long u = n < 0 ? 0ULL - static_cast<unsigned long long>(n) : n;
  do {
    digits[len++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (n < 0 && at < size) buf[at++] = '-';
  while (len > 0 && at < size) buf[at++] = digits[--len];
  return at;
}

// Async-signal-safe: only write(2) and exit_group(2), both allowed by the filter. The raw system
// calls, because a sanitizer's runtime intercepts write() and _exit() and may make calls of its
// own.
void OnForbiddenCall(int, siginfo_t* info, void*) {
  if (void (*hook)() = g_exit_hook; hook != nullptr) hook();
  char line[160];
  size_t n = Append(line, 0, sizeof(line), "procleak: sandbox: forbidden system call ");
  const int nr = info->si_syscall;
  n = AppendNumber(line, n, sizeof(line), nr);
  if (nr >= 0 && nr < kNamedSyscalls && g_syscall_names[nr][0] != '\0') {
    n = Append(line, n, sizeof(line), " (");
    n = Append(line, n, sizeof(line), g_syscall_names[nr]);
    n = Append(line, n, sizeof(line), ")");
  }
  n = Append(line, n, sizeof(line), ", see --no-sandbox\n");
  if (syscall(SYS_write, STDERR_FILENO, line, n) < 0) {
    // Nothing left to report it to.
  }
  syscall(SYS_exit_group, kSandboxViolationExit);
}

// Flags that make an open write, create or truncate; none may be set.
constexpr scmp_datum_t kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
// Namespace flags: a thread never needs them, and clone must not make new namespaces.
constexpr scmp_datum_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                                         CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;

// Allowed whatever their arguments.
constexpr const char* kAllowed[] = {
    // reading files and directories
    "read", "pread64", "readv", "close", "fstat", "newfstatat", "statx", "lseek", "getdents64",
    "readlinkat", "readlink", "statfs", "fstatfs",
    // memory (mmap and mprotect are below: never executable)
    "munmap", "brk", "mremap", "madvise",
    // threads and their synchronisation (clone is below: threads only)
    "futex", "set_robust_list", "rseq", "sched_yield", "exit", "exit_group",
    // signals (rt_sigaction is below: never for SIGSYS)
    "rt_sigprocmask", "rt_sigreturn",
    // identity and time; sleeping between the samples of watch and record
    "getpid", "gettid", "getuid", "geteuid", "clock_gettime", "gettimeofday", "getrandom",
    "clock_nanosleep", "nanosleep"};

absl::Status Failed(const char* what, int rc) {
  return absl::FailedPreconditionError(
      absl::StrCat("sandbox: ", what, ": ", strerror(-rc),
                   " (seccomp unavailable? run with --no-sandbox to scan without it)"));
}

}  // namespace

void SetSandboxExitHook(void (*hook)()) { g_exit_hook = hook; }

absl::Status InstallSandbox(const std::vector<int>& write_fds, bool terminal) {
  ResolveSyscallNames();
  std::unique_ptr<void, void (*)(scmp_filter_ctx)> ctx(seccomp_init(SCMP_ACT_TRAP),
                                                       &seccomp_release);
  if (ctx == nullptr) return Failed("cannot create the seccomp filter", -EINVAL);
  // Another architecture's system call numbers (int 0x80, x32) mean something else: trap them too.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
  // Threads started before the filter (there should be none) get it as well.
  if (rc == 0) rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_TSYNC, 1);
  if (rc != 0) return Failed("cannot configure the seccomp filter", rc);

  auto add = [&](const char* name, uint32_t action, std::initializer_list<scmp_arg_cmp> args) {
    if (rc != 0) return;
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return;  // not on this architecture (such as open on arm64)
    rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(args.size()),
                                args.begin());
  };
  for (const char* name : kAllowed) add(name, SCMP_ACT_ALLOW, {});
  add("openat", SCMP_ACT_ALLOW, {SCMP_A2_32(SCMP_CMP_MASKED_EQ, kWriteFlags, 0)});
  add("open", SCMP_ACT_ALLOW, {SCMP_A1_32(SCMP_CMP_MASKED_EQ, kWriteFlags, 0)});
  for (int command : {F_GETFD, F_GETFL, F_SETFD}) {  // fdopendir
    add("fcntl", SCMP_ACT_ALLOW, {SCMP_A1_32(SCMP_CMP_EQ, static_cast<scmp_datum_t>(command))});
  }
  add("mmap", SCMP_ACT_ALLOW, {SCMP_A2_32(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)});
  add("mprotect", SCMP_ACT_ALLOW, {SCMP_A2_32(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)});
  add("rt_sigaction", SCMP_ACT_ALLOW, {SCMP_A0_32(SCMP_CMP_NE, SIGSYS)});
  add("ioctl", SCMP_ACT_ALLOW, {SCMP_A1_32(SCMP_CMP_EQ, TCGETS)});  // isatty, stdio buffering
  // std::thread: clone3 takes its flags in a struct a filter cannot read, so it fails with ENOSYS
  // and glibc falls back to clone, whose flags must say "a thread" and no new namespace.
  add("clone3", SCMP_ACT_ERRNO(ENOSYS), {});
  add("clone", SCMP_ACT_ALLOW,
      {SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_THREAD | kNamespaceFlags, CLONE_THREAD)});
  if (terminal) {
    add("ioctl", SCMP_ACT_ALLOW,
        {SCMP_A0_32(SCMP_CMP_EQ, STDOUT_FILENO), SCMP_A1_32(SCMP_CMP_EQ, TIOCGWINSZ)});
    add("ioctl", SCMP_ACT_ALLOW,
        {SCMP_A0_32(SCMP_CMP_EQ, STDIN_FILENO), SCMP_A1_32(SCMP_CMP_EQ, TCSETS)});
    add("ppoll", SCMP_ACT_ALLOW, {});
  }
  add("write", SCMP_ACT_ALLOW, {SCMP_A0_32(SCMP_CMP_EQ, STDERR_FILENO)});
  add("writev", SCMP_ACT_ALLOW, {SCMP_A0_32(SCMP_CMP_EQ, STDERR_FILENO)});
  for (int fd : write_fds) {
    if (fd == STDERR_FILENO) continue;
    add("write", SCMP_ACT_ALLOW, {SCMP_A0_32(SCMP_CMP_EQ, static_cast<scmp_datum_t>(fd))});
    add("writev", SCMP_ACT_ALLOW, {SCMP_A0_32(SCMP_CMP_EQ, static_cast<scmp_datum_t>(fd))});
    // record and export make what they wrote durable before they report success
    add("fdatasync", SCMP_ACT_ALLOW, {SCMP_A0_32(SCMP_CMP_EQ, static_cast<scmp_datum_t>(fd))});
    add("fsync", SCMP_ACT_ALLOW, {SCMP_A0_32(SCMP_CMP_EQ, static_cast<scmp_datum_t>(fd))});
  }
  if (kSandboxRelaxedForSanitizer) {
    add("pipe2", SCMP_ACT_ALLOW, {});
    add("write", SCMP_ACT_ALLOW, {});
    // Its thread start-up: CPU affinity for its registry, an alternate signal stack.
    add("sched_getaffinity", SCMP_ACT_ALLOW, {});
    add("sigaltstack", SCMP_ACT_ALLOW, {});
  }
  if (rc != 0) return Failed("cannot build the seccomp filter", rc);

  struct sigaction action = {};
  action.sa_sigaction = &OnForbiddenCall;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGSYS, &action, nullptr) != 0) return Failed("cannot handle SIGSYS", -errno);
  sigset_t sigsys;
  sigemptyset(&sigsys);
  sigaddset(&sigsys, SIGSYS);
  pthread_sigmask(SIG_UNBLOCK, &sigsys, nullptr);

  rc = seccomp_load(ctx.get());
  if (rc != 0) return Failed("cannot install the seccomp filter", rc);
  return absl::OkStatus();
}

}  // namespace procleak
