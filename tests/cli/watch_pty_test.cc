// SPDX-License-Identifier: Apache-2.0
// procleak watch on a terminal (a pseudo-terminal this test holds): the alternate screen, a
// screen redrawn every sample that fits the terminal's width, drawn again to a new width after
// a resize, and "q" or Ctrl-C leaving at once with the screen and the terminal's mode restored.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/terminal_text.h"
#include "testing/fixture_trees.h"

namespace procleak {
namespace {

constexpr std::string_view kEnter = "\x1b[?1049h";
constexpr std::string_view kLeave = "\x1b[?1049l";
constexpr std::string_view kRedraw = "\x1b[H\x1b[2J";

size_t Count(std::string_view text, std::string_view what, size_t from = 0) {
  size_t n = 0;
  for (size_t at = text.find(what, from); at != std::string_view::npos;
       at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

// `text` without its CSI escape sequences (ESC [ ... final byte) and carriage returns.
std::string StripEscapes(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && (text[i] < 0x40 || text[i] > 0x7e)) ++i;
      continue;
    }
    if (text[i] != '\r') out.push_back(text[i]);
  }
  return out;
}

// The widest line of a screen, in terminal columns.
size_t WidestLine(std::string_view screen) {
  size_t widest = 0;
  const std::string text = StripEscapes(screen);
  for (size_t at = 0; at <= text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    widest = std::max(widest, DisplayWidth(std::string_view(text).substr(at, end - at)));
    at = end + 1;
  }
  return widest;
}

// The `n`th screen (0 first) drawn after byte `from`: the text between its redraw and the next.
std::string ScreenAfter(std::string_view out, size_t from, size_t n) {
  size_t at = out.find(kRedraw, from);
  for (size_t i = 0; i < n && at != std::string_view::npos; ++i) at = out.find(kRedraw, at + 1);
  if (at == std::string_view::npos) return "";
  const size_t end = out.find(kRedraw, at + 1);
  if (end == std::string_view::npos) return "";
  return std::string(out.substr(at + kRedraw.size(), end - at - kRedraw.size()));
}

// procleak watch on a pseudo-terminal of `rows` x `cols` as its controlling terminal (standard
// input, output and error); killed and reaped by the destructor if it is still running.
class PtyWatch {
 public:
  PtyWatch(unsigned short rows, unsigned short cols) {
    winsize size = {};
    size.ws_row = rows;
    size.ws_col = cols;
    if (openpty(&master_, &slave_, nullptr, nullptr, &size) != 0) {
      ADD_FAILURE() << "openpty failed";
      return;
    }
    const std::string root = testing::DataDir("incident");
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      setsid();
      ioctl(slave_, TIOCSCTTY, 0);
      for (int fd : {0, 1, 2}) dup2(slave_, fd);
      close(master_);
      close(slave_);
      const char* bin = std::getenv("PROCLEAK_BIN");
      execlp(bin != nullptr ? bin : "procleak", "procleak", "watch", "--root", root.c_str(),
             "--interval", "0.2", nullptr);
      _exit(127);
    }
    fcntl(master_, F_SETFL, O_NONBLOCK);
  }
  ~PtyWatch() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
    if (slave_ >= 0) close(slave_);
  }

  // Reads what it wrote until `done(output)` holds or `timeout` passes; `done`'s last answer.
  template <typename Done>
  bool ReadUntil(Done done, absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!done(out_)) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return false;
      Drain(left);
    }
    return true;
  }
  // Waits up to `timeout` for it to exit, reading what it writes meanwhile; its exit status, or
  // -1 when it has not exited (or was killed by a signal).
  int WaitExit(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        Drain(absl::ZeroDuration());
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      if (absl::Now() >= deadline) return -1;
      Drain(absl::Milliseconds(20));
    }
  }
  void Type(std::string_view keys) {
    ASSERT_EQ(write(master_, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  }
  void Resize(unsigned short rows, unsigned short cols) {
    winsize size = {};
    size.ws_row = rows;
    size.ws_col = cols;
    ASSERT_EQ(ioctl(master_, TIOCSWINSZ, &size), 0);  // the kernel sends SIGWINCH
  }
  // The terminal's mode now, as a program started next would find it.
  termios Mode() const {
    termios mode = {};
    tcgetattr(slave_, &mode);
    return mode;
  }
  const std::string& out() const { return out_; }

 private:
  void Drain(absl::Duration wait) {
    pollfd p = {master_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(wait))) <= 0) return;
    char buf[65536];
    for (ssize_t n; (n = read(master_, buf, sizeof(buf))) > 0;) out_.append(buf, n);
  }

  int master_ = -1;
  int slave_ = -1;  // kept open: the terminal's mode is read after procleak exits
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string out_;
};

TEST(WatchPty, LiveView_RedrawsToTheTerminalsSizeAndQuitsOnQ) {
  PtyWatch watch(30, 100);
  // Two screens drawn in the alternate screen, each one a header first.
  ASSERT_TRUE(watch.ReadUntil([](const std::string& out) { return Count(out, kRedraw) >= 3; }))
      << watch.out();
  EXPECT_EQ(watch.out().find(kEnter), 0u) << "the alternate screen before anything else";
  EXPECT_NE(watch.out().find("\x1b[?25l"), std::string::npos) << "the cursor hidden";
  const std::string first = ScreenAfter(watch.out(), 0, 0);
  EXPECT_TRUE(StripEscapes(first).starts_with("procleak watch  ")) << first;
  EXPECT_NE(first.find("sample 1, every 200ms"), std::string::npos) << first;
  EXPECT_NE(ScreenAfter(watch.out(), 0, 1).find("sample 2,"), std::string::npos);
  // Within 100 columns and 30 rows, and no rate from less than a minute of samples.
  for (size_t i = 0; i < 2; ++i) {
    const std::string screen = ScreenAfter(watch.out(), 0, i);
    EXPECT_LE(WidestLine(screen), 100u) << screen;
    EXPECT_LE(Count(screen, "\n") + 1, 30u) << screen;
    EXPECT_EQ(screen.find("B/h"), std::string::npos) << screen;
  }
  // The incident's screen is wider than 60 columns: after the resize it is cut to 60.
  EXPECT_GT(WidestLine(first), 60u) << first;
  const size_t resized_at = watch.out().size();
  watch.Resize(20, 60);
  // The first screen after the resize may have been rendered before it; the second was not.
  ASSERT_TRUE(watch.ReadUntil([&](const std::string& out) {
    return Count(out, kRedraw, resized_at) >= 3;
  })) << watch.out().substr(resized_at);
  const std::string narrow = ScreenAfter(watch.out(), resized_at, 1);
  EXPECT_LE(WidestLine(narrow), 60u) << narrow;
  EXPECT_GE(WidestLine(narrow), 50u) << "the header fills the new width: " << narrow;
  EXPECT_LE(Count(narrow, "\n") + 1, 20u) << narrow;
  EXPECT_NE(narrow.find("more lines"), std::string::npos) << narrow;
  EXPECT_TRUE(StripEscapes(narrow).starts_with("procleak watch  ")) << narrow;

  const size_t typed_at = watch.out().size();
  const absl::Time typed = absl::Now();
  watch.Type("q");
  EXPECT_EQ(watch.WaitExit(absl::Seconds(2)), 0);
  EXPECT_LT(absl::Now() - typed, absl::Seconds(2));
  const std::string tail = watch.out().substr(typed_at);
  EXPECT_NE(tail.find(kLeave), std::string::npos) << tail;
  EXPECT_NE(tail.find("\x1b[?25h"), std::string::npos) << "the cursor shown again: " << tail;
  const termios mode = watch.Mode();
  EXPECT_TRUE(mode.c_lflag & ICANON) << "line editing restored";
  EXPECT_TRUE(mode.c_lflag & ECHO) << "echo restored";
}

TEST(WatchPty, CtrlC_QuitsAndRestoresTheScreen) {
  PtyWatch watch(30, 100);
  ASSERT_TRUE(watch.ReadUntil([](const std::string& out) { return Count(out, kRedraw) >= 1; }))
      << watch.out();
  EXPECT_FALSE(watch.Mode().c_lflag & ECHO) << "no echo while it runs";
  // Ctrl-Z and Ctrl-\ neither stop nor kill the live view (they would leave the screen as it is).
  watch.Type("\x1a\x1c");
  EXPECT_EQ(watch.WaitExit(absl::Milliseconds(500)), -1) << "still running";
  const size_t typed_at = watch.out().size();
  watch.Type("\x03");  // the terminal turns it into SIGINT (ISIG)
  EXPECT_EQ(watch.WaitExit(absl::Seconds(2)), 0);
  EXPECT_NE(watch.out().find(kLeave, typed_at), std::string::npos) << watch.out().substr(typed_at);
  EXPECT_TRUE(watch.Mode().c_lflag & ECHO) << "echo restored";
}

}  // namespace
}  // namespace procleak
