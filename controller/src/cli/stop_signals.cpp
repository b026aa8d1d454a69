#include "cli/stop_signals.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <stdexcept>

namespace swarmop::cli {

namespace {

// Only what a signal handler may touch: a lock-free atomic and a pipe's write end.
std::atomic<int> g_received{0};
int g_wake_write = -1;
int g_wake_read = -1;
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

static_assert(std::atomic<int>::is_always_lock_free);

void on_signal(int signal) {
  int expected = 0;
  if (!g_received.compare_exchange_strong(expected, signal)) {
    _exit(128 + expected);  // the second signal: the user insists, stop now with the same code
  }
  // Wakes a wait in progress; the pipe is non-blocking, so a full pipe cannot block here.
  const char byte = 1;
  [[maybe_unused]] const auto written = write(g_wake_write, &byte, 1);
}

}  // namespace

StopSignals::StopSignals() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error("cannot create the signal pipe");
  }
  g_wake_read = fds[0];
  g_wake_write = fds[1];
  g_received = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a write in flight carries on: curl's calls are not cut
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
  close(g_wake_read);
  close(g_wake_write);
  g_wake_read = g_wake_write = -1;
}

int StopSignals::received() const {
  return g_received.load();
}

void StopSignals::wait(std::chrono::milliseconds pause) const {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + pause;
  // poll() on the pipe: a signal that came just before the wait still ends it at once.
  while (received() == 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) {
      return;
    }
    pollfd wake{g_wake_read, POLLIN, 0};
    poll(&wake, 1, static_cast<int>(left.count()));
  }
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "a signal";
  }
}

}  // namespace swarmop::cli
