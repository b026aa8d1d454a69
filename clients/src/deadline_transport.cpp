#include "swarmop/clients/deadline_transport.hpp"

#include <algorithm>

namespace swarmop::clients {

CallDeadline CallDeadline::abandonable() {
  CallDeadline out;
  out.abandon_ = std::make_shared<std::atomic<bool>>(false);
  return out;
}

void CallDeadline::abandon() const {
  if (abandon_) {
    abandon_->store(true);
  }
}

std::chrono::milliseconds CallDeadline::bound(std::chrono::milliseconds own) const {
  if (!at_) {
    return own;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*at_ - Clock::now());
  const auto capped = std::max(left, std::chrono::milliseconds(1));
  // 0 is a stream's "no limit": the deadline still applies to it.
  return own.count() == 0 ? capped : std::min(own, capped);
}

model::Error CallDeadline::refusal(const std::string& target, const std::string& operation) const {
  model::Error error;
  error.code = model::ErrorCode::kTransient;
  error.not_sent = true;
  error.target = target;
  error.operation = operation;
  error.message = abandoned() ? "not sent: the controller is stopping and its grace is over"
                              : "not sent: the command's deadline (--timeout) has passed";
  return error;
}

namespace {

std::string operation_of(const HttpRequest& request) {
  return request.method + " " + request.path.substr(0, request.path.find('?'));
}

}  // namespace

model::Expected<HttpResponse> DeadlineTransport::send(const HttpRequest& request) {
  if (deadline_.passed()) {
    return deadline_.refusal(display(), operation_of(request));
  }
  HttpRequest bounded = request;
  bounded.timeout = deadline_.bound(request.timeout);
  bounded.abandon = deadline_.abandon_flag();
  return inner_->send(bounded);
}

model::Expected<int> DeadlineTransport::stream(const HttpRequest& request,
                                               const std::function<bool(std::string_view)>& on_data,
                                               const std::atomic<bool>* cancel) {
  if (deadline_.passed()) {
    return deadline_.refusal(display(), operation_of(request));
  }
  HttpRequest bounded = request;
  bounded.timeout = deadline_.bound(request.timeout);
  bounded.abandon = deadline_.abandon_flag();
  return inner_->stream(bounded, on_data, cancel);
}

}  // namespace swarmop::clients
