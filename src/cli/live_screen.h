// SPDX-License-Identifier: Apache-2.0
#pragma once
// The terminal as `procleak watch`'s live view, like top: the alternate screen, no cursor, keys
// read without echo or line editing, each screen drawn to the terminal's size (again after
// SIGWINCH); all put back on exit, on error, and in the sandbox's SIGSYS handler.

#include <signal.h>

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace procleak {

class LiveScreen {
 public:
  // Turns a screen of `cols` columns into its text (RenderWatchText).
  using Render = std::function<std::string(size_t cols)>;

  // Takes over the terminal on standard output (and standard input's mode, when it is a
  // terminal). Call after InstallStopHandlers, before the sandbox and before any thread starts:
  // it blocks SIGINT, SIGTERM, SIGHUP and SIGWINCH, which then arrive only while Wait() waits,
  // so that none is lost between a check and the wait (threads inherit the mask).
  LiveScreen();
  ~LiveScreen() { Restore(); }
  LiveScreen(const LiveScreen&) = delete;
  LiveScreen& operator=(const LiveScreen&) = delete;

  // Clears the screen and draws what `render` makes for the terminal's width, cut to its size
  // (FitScreen); `render` is kept to draw again after a resize.
  absl::Status Draw(Render render);

  // Waits up to `timeout` for a key, a resize (redrawn) or a stop signal. False when it is time
  // to quit: "q", Ctrl-C (SIGINT), SIGTERM, SIGHUP, or a draw that failed.
  bool Wait(absl::Duration timeout);

  // The normal screen, the cursor, standard input's mode and the signal mask as they were.
  // Idempotent.
  void Restore();

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }

 private:
  void ReadSize();
  absl::Status Redraw();

  bool active_ = false;
  int keys_fd_ = -1;  // standard input while it is a terminal still open
  sigset_t saved_mask_;
  size_t rows_ = 24;
  size_t cols_ = 80;
  Render render_;
};

}  // namespace procleak
