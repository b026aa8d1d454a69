#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "swarmop/clients/http_transport.hpp"

namespace swarmop::clients {

//! A moment by which a command's API calls must be over (`apply --timeout`). Each call keeps its
//! own timeout when that ends sooner; none starts once the moment has passed. No value: no bound.
class CallDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  CallDeadline() = default;
  explicit CallDeadline(Clock::time_point at) : at_(at) {}
  //! No moment, but a switch shared by every copy: abandon() ends the calls in flight at once
  //! and refuses new ones (watch, once its shutdown grace is over).
  static CallDeadline abandonable();

  bool passed() const { return abandoned() || (at_ && Clock::now() >= *at_); }
  void abandon() const;
  bool abandoned() const { return abandon_ && abandon_->load(); }
  //! The switch, for HttpRequest::abandon (nullptr when there is none).
  const std::atomic<bool>* abandon_flag() const { return abandon_.get(); }
  //! `own`, or the time left when that is shorter: at least 1 ms, since curl reads 0 as "no
  //! limit" (call passed() first).
  std::chrono::milliseconds bound(std::chrono::milliseconds own) const;
  //! The error for a call not sent because the deadline passed: transient and not_sent, so
  //! every caller already treats it as "nothing happened, may be tried later".
  model::Error refusal(const std::string& target, const std::string& operation) const;

 private:
  std::optional<Clock::time_point> at_;
  std::shared_ptr<std::atomic<bool>> abandon_;
};

//! An HttpTransport whose requests end by the deadline: their timeout is cut to the time left,
//! and once it has passed they are refused without being sent. The clients' own retry and
//! failover loops then end quickly, whichever client it sits under.
class DeadlineTransport final : public HttpTransport {
 public:
  DeadlineTransport(std::unique_ptr<HttpTransport> inner, CallDeadline deadline)
      : inner_(std::move(inner)), deadline_(deadline) {}

  model::Expected<HttpResponse> send(const HttpRequest& request) override;
  model::Expected<int> stream(const HttpRequest& request,
                              const std::function<bool(std::string_view)>& on_data,
                              const std::atomic<bool>* cancel) override;
  std::string display() const override { return inner_->display(); }
  std::string redact(std::string text) const override { return inner_->redact(std::move(text)); }

 private:
  std::unique_ptr<HttpTransport> inner_;
  CallDeadline deadline_;
};

}  // namespace swarmop::clients
