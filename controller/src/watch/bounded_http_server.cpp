#include "watch/bounded_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace swarmop::watch {

namespace {

using Clock = std::chrono::steady_clock;

//! When the connection the current worker serves was accepted. The task queue sets it before
//! running httplib's task, whose closure hides the socket and its age from us.
thread_local Clock::time_point connection_accepted_at;

//! Waits until `fd` is ready for `events` or `deadline` passes (a past deadline still sees what
//! is ready now); false on timeout, error or hang-up without data.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd target{fd, events, 0};
    const int ready = ::poll(&target, 1, static_cast<int>(std::max<long>(0, left.count())));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    return ready > 0 && (target.revents & (events | POLLHUP)) != 0;
  }
}

void endpoint_of(const sockaddr_storage& address, std::string& ip, int& port) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text.data(), text.size());
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text.data(), text.size());
    port = ntohs(v6.sin6_port);
  }
  ip = text.data();
}

//! A connection's stream whose reads all end at one deadline and a byte cap, and whose writes
//! all end at one deadline counted from the first.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(int fd, const HttpLimits& limits, Clock::time_point read_deadline)
      : fd_(fd), limits_(limits), read_deadline_(read_deadline) {}

  bool is_readable() const override {
    return begin_ < end_ || wait_for(fd_, POLLIN, read_deadline_);
  }
  bool is_writable() const override {
    return wait_for(fd_, POLLOUT, write_deadline_.value_or(Clock::now() + limits_.write_deadline));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ == end_ && !fill()) {
      return received_ >= limits_.max_request_bytes || !eof_ ? -1 : 0;
    }
    const auto n = std::min(size, end_ - begin_);
    std::copy_n(buffer_.data() + begin_, n, ptr);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!write_deadline_) {
      write_deadline_ = Clock::now() + limits_.write_deadline;
    }
    if (!wait_for(fd_, POLLOUT, *write_deadline_)) {
      return -1;
    }
    const auto sent = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    if (sent > 0) {
      wrote_ = true;
    }
    return sent;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      endpoint_of(address, ip, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      endpoint_of(address, ip, port);
    }
  }
  socket_t socket() const override { return fd_; }

  bool wrote() const { return wrote_; }

 private:
  //! Refills the buffer with what arrives before the deadline, never past the byte cap.
  bool fill() {
    const auto room = std::min(buffer_.size(), limits_.max_request_bytes - received_);
    if (room == 0 || !wait_for(fd_, POLLIN, read_deadline_)) {
      return false;
    }
    const auto n = ::recv(fd_, buffer_.data(), room, 0);
    if (n <= 0) {
      eof_ = n == 0;
      return false;
    }
    begin_ = 0;
    end_ = static_cast<std::size_t>(n);
    received_ += end_;
    return true;
  }

  int fd_;
  const HttpLimits& limits_;
  Clock::time_point read_deadline_;
  std::optional<Clock::time_point> write_deadline_;
  std::array<char, 4096> buffer_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t received_ = 0;
  bool eof_ = false;
  bool wrote_ = false;
};

//! httplib's thread pool, plus when each connection was queued (= accepted: httplib queues it
//! right after accept). A connection that waited for a worker has that much less of its request
//! deadline left, so a backlog of idle connections drains at once instead of each one holding a
//! worker for a whole deadline.
class StampedPool final : public httplib::TaskQueue {
 public:
  explicit StampedPool(std::size_t workers) {
    for (std::size_t i = 0; i < workers; ++i) {
      threads_.emplace_back([this] { work(); });
    }
  }

  void enqueue(std::function<void()> task) override {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back({Clock::now(), std::move(task)});
    }
    wake_.notify_one();
  }

  //! Runs what is queued (each task closes its socket), then joins the workers.
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
      thread.join();
    }
  }

 private:
  struct Job {
    Clock::time_point queued;
    std::function<void()> task;
  };

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) {
          return;
        }
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      connection_accepted_at = job.queued;
      job.task();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

//! Half-closes, then reads and drops what the client still sends (bounded in time and bytes)
//! before closing: closing a socket with unread data makes the kernel send a reset, which can
//! destroy the response before the client has read it (RFC 9112 section 9.6).
void linger_close(int fd, const HttpLimits& limits) {
  ::shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + limits.linger;
  std::array<char, 4096> sink{};
  std::size_t drained = 0;
  while (drained < limits.linger_bytes && wait_for(fd, POLLIN, deadline)) {
    const auto n = ::recv(fd, sink.data(), sink.size(), 0);
    if (n <= 0) {
      break;
    }
    drained += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

//! The endpoints take no body: anything but GET/HEAD is refused with 405, a body (announced by
//! Content-Length or Transfer-Encoding) with 413; 0 when the request is acceptable.
int refusal_of(const httplib::Request& request, httplib::Response& response) {
  if (request.method != "GET" && request.method != "HEAD") {
    response.status = 405;
    response.set_header("Allow", "GET, HEAD");
    response.set_content("only GET and HEAD\n", "text/plain");
  } else if (request.has_header("Transfer-Encoding") ||
             (request.has_header("Content-Length") &&
              request.get_header_value("Content-Length") != "0")) {
    response.status = 413;
    response.set_content("no request body is accepted\n", "text/plain");
  }
  return response.status == 405 || response.status == 413 ? response.status : 0;
}

}  // namespace

BoundedHttpServer::BoundedHttpServer(HttpLimits limits) : limits_(limits) {
  const std::size_t workers = limits_.workers;
  new_task_queue = [workers] { return new StampedPool(workers); };
  // SO_REUSEADDR (a restart binds at once despite TIME_WAIT) without httplib's SO_REUSEPORT.
  set_socket_options([](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  set_tcp_nodelay(true);
  // Refused from the headers alone, before httplib reads any body (it reads and discards a
  // body over the payload limit before answering 413); the limit stays as a second guard.
  set_payload_max_length(0);
  set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    return refusal_of(request, response) != 0 ? HandlerResponse::Handled
                                              : HandlerResponse::Unhandled;
  });
  // "Expect: 100-continue" gets the refusal instead of an invitation to send the body.
  set_expect_100_continue_handler([](const httplib::Request& request, httplib::Response& response) {
    const int refusal = refusal_of(request, response);
    return refusal != 0 ? refusal : 100;
  });
}

void BoundedHttpServer::widen_backlog() {
  ::listen(svr_sock_, limits_.backlog);
}

bool BoundedHttpServer::process_and_close_socket(socket_t sock) {
  DeadlineStream stream(sock, limits_, connection_accepted_at + limits_.request_deadline);
  bool closed_by_client = false;
  const bool answered = process_request(stream, /*close_connection=*/true, closed_by_client,
                                        /*setup_request=*/nullptr);
  if (stream.wrote()) {
    linger_close(sock, limits_);
  } else {
    ::close(sock);
  }
  return answered;
}

}  // namespace swarmop::watch
