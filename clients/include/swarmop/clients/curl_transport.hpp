#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/http_transport.hpp"

namespace swarmop::clients {

struct BasicAuth {
  std::string username;
  std::string password;  //!< never logged, never part of an error
};

//! HttpTransport over libcurl: unix sockets, http, https with client certificates, basic
//! authentication. Keeps one connection alive between requests; safe to share between
//! threads (requests are serialised; streams use their own connection).
class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(Endpoint endpoint, std::optional<BasicAuth> auth = std::nullopt,
                         std::chrono::milliseconds connect_timeout = std::chrono::seconds(5));
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  model::Expected<HttpResponse> send(const HttpRequest& request) override;
  model::Expected<int> stream(const HttpRequest& request,
                              const std::function<bool(std::string_view)>& on_data,
                              const std::atomic<bool>* cancel) override;
  std::string display() const override { return endpoint_.display(); }
  std::string redact(std::string text) const override {
    return mask_secret(HttpTransport::redact(std::move(text)), auth_ ? auth_->password : "");
  }

 private:
  struct Handle;
  void configure(void* curl, const HttpRequest& request) const;

  Endpoint endpoint_;
  std::optional<BasicAuth> auth_;
  std::chrono::milliseconds connect_timeout_;
  std::mutex mutex_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace swarmop::clients
