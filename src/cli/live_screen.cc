// SPDX-License-Identifier: Apache-2.0
#include "cli/live_screen.h"

#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "cli/sampling.h"
#include "render/watch_text.h"
#include "sandbox/sandbox.h"

namespace procleak {
namespace {

// Alternate screen (smcup) and hidden cursor; leaving: cursor shown, normal screen (rmcup).
constexpr std::string_view kEnter = "\x1b[?1049h\x1b[?25l";
constexpr std::string_view kLeave = "\x1b[?25h\x1b[?1049l";
constexpr std::string_view kHomeAndClear = "\x1b[H\x1b[2J";

// Standard input's mode before, for Restore() and for the SIGSYS handler, which may only read
// what is already in memory.
termios g_saved_mode;
volatile sig_atomic_t g_mode_saved = 0;
volatile sig_atomic_t g_screen_active = 0;
volatile sig_atomic_t g_resized = 0;

void OnResize(int) { g_resized = 1; }

// Async-signal-safe (write and tcsetattr are), for the sandbox's SIGSYS handler.
void RestoreFromSignal() {
  if (g_screen_active == 0) return;
  g_screen_active = 0;
  if (syscall(SYS_write, STDOUT_FILENO, kLeave.data(), kLeave.size()) < 0) {
    // The terminal is gone: nothing to restore on it.
  }
  if (g_mode_saved != 0) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_mode);
}

absl::Status WriteAll(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(STDOUT_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::ErrnoToStatus(errno, "cannot write to standard output");
    text.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

LiveScreen::LiveScreen() {
  struct sigaction resize = {};
  resize.sa_handler = &OnResize;
  sigemptyset(&resize.sa_mask);
  sigaction(SIGWINCH, &resize, nullptr);
  sigset_t waited;
  sigemptyset(&waited);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGWINCH}) sigaddset(&waited, sig);
  pthread_sigmask(SIG_BLOCK, &waited, &saved_mask_);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGWINCH}) sigdelset(&saved_mask_, sig);

  if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &g_saved_mode) == 0) {
    g_mode_saved = 1;
    termios keys = g_saved_mode;
    keys.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // ISIG stays: Ctrl-C is SIGINT
    // Ctrl-\ (SIGQUIT) and Ctrl-Z (SIGTSTP) would end or stop it without restoring the screen:
    // on the live view they are keys like any other.
    keys.c_cc[VQUIT] = _POSIX_VDISABLE;
    keys.c_cc[VSUSP] = _POSIX_VDISABLE;
    keys.c_cc[VMIN] = 1;
    keys.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &keys) == 0) keys_fd_ = STDIN_FILENO;
  }
  ReadSize();
  active_ = true;
  g_screen_active = 1;
  SetSandboxExitHook(&RestoreFromSignal);
  if (!WriteAll(kEnter).ok()) {
    // Draw reports it.
  }
}

void LiveScreen::Restore() {
  if (!active_) return;
  active_ = false;
  g_screen_active = 0;
  SetSandboxExitHook(nullptr);
  if (!WriteAll(kLeave).ok()) {
    // The terminal is gone: nothing to restore on it.
  }
  if (g_mode_saved != 0) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_mode);
  pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
}

void LiveScreen::ReadSize() {
  winsize size = {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_row == 0 || size.ws_col == 0) {
    return;  // the size before (24x80 at first)
  }
  rows_ = size.ws_row;
  cols_ = size.ws_col;
}

absl::Status LiveScreen::Draw(Render render) {
  render_ = std::move(render);
  return Redraw();
}

absl::Status LiveScreen::Redraw() {
  if (!render_) return absl::OkStatus();
  std::string screen(kHomeAndClear);
  screen += FitScreen(render_(cols_), rows_, cols_);
  return WriteAll(screen);
}

bool LiveScreen::Wait(absl::Duration timeout) {
  pollfd keys = {keys_fd_, POLLIN, 0};
  const timespec ts = absl::ToTimespec(std::max(timeout, absl::ZeroDuration()));
  // The stop signals and SIGWINCH are unblocked only inside ppoll.
  const int ready = ppoll(&keys, keys_fd_ >= 0 ? 1 : 0, &ts, &saved_mask_);
  if (ready < 0 && errno != EINTR) return false;
  if (ready > 0) {
    char typed[64];
    const ssize_t n = read(keys_fd_, typed, sizeof(typed));
    if (n <= 0) keys_fd_ = -1;  // end of input or the terminal gone: signals still end watch
    for (ssize_t i = 0; i < n; ++i) {
      if (typed[i] == 'q' || typed[i] == 'Q' || typed[i] == '\x03') return false;
    }
  }
  if (StopRequested()) return false;
  if (g_resized != 0) {
    g_resized = 0;
    ReadSize();
    if (!Redraw().ok()) return false;
  }
  return true;
}

}  // namespace procleak
