#include "swarmop/clients/curl_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

namespace swarmop::clients {

namespace {

// libcurl's global state, set up once for the process before any handle exists.
void ensure_curl_initialised() {
  static const bool initialised = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)initialised;
}

struct Sink {
  std::string* body;
  std::map<std::string, std::string>* headers;
  const std::function<bool(std::string_view)>* on_data = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  bool stopped_by_caller = false;
  std::size_t max_body_bytes = 0;  //!< 0: no limit (streams bound their own buffers)
  bool too_large = false;
};

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * count;
  if (sink->on_data != nullptr) {
    if (!(*sink->on_data)(std::string_view(data, bytes))) {
      sink->stopped_by_caller = true;
      return 0;  // makes libcurl end the transfer
    }
    return bytes;
  }
  if (sink->max_body_bytes != 0 && sink->body->size() + bytes > sink->max_body_bytes) {
    sink->too_large = true;
    return 0;  // makes libcurl end the transfer
  }
  sink->body->append(data, bytes);
  return bytes;
}

size_t write_header(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * count;
  const std::string line(data, bytes);
  const size_t colon = line.find(':');
  if (colon != std::string::npos && sink->headers != nullptr) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    const auto not_space = [](unsigned char c) { return !std::isspace(c); };
    value.erase(value.begin(), std::find_if(value.begin(), value.end(), not_space));
    value.erase(std::find_if(value.rbegin(), value.rend(), not_space).base(), value.end());
    (*sink->headers)[name] = value;
  }
  return bytes;
}

int check_cancel(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->cancel != nullptr && sink->cancel->load()) {
    sink->stopped_by_caller = true;
    return 1;  // aborts the transfer
  }
  return 0;
}

}  // namespace

struct CurlTransport::Handle {
  CURL* curl = nullptr;
  Handle() : curl(curl_easy_init()) {}
  ~Handle() { curl_easy_cleanup(curl); }
};

CurlTransport::CurlTransport(Endpoint endpoint, std::optional<BasicAuth> auth,
                             std::chrono::milliseconds connect_timeout)
    : endpoint_(std::move(endpoint)), auth_(std::move(auth)), connect_timeout_(connect_timeout) {
  ensure_curl_initialised();
  handle_ = std::make_unique<Handle>();
}

CurlTransport::~CurlTransport() = default;

void CurlTransport::configure(void* handle, const HttpRequest& request) const {
  CURL* curl = static_cast<CURL*>(handle);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM-based timeouts
  const std::string url = endpoint_.base_url + request.path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (!endpoint_.unix_socket.empty()) {
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, endpoint_.unix_socket.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "POST" || request.method == "PUT" || request.method == "DELETE") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }
  if (request.method == "DELETE" && request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
  }
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  if (endpoint_.tls) {
    const TlsConfig& tls = *endpoint_.tls;
    if (!tls.ca_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
    }
    if (!tls.cert_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.cert_file.c_str());
    }
    if (!tls.key_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.key_file.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
  }
  if (auth_) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, auth_->username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, auth_->password.c_str());
  }
}

namespace {

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
};

model::Error transport_error(CURLcode code, const char* detail, const HttpRequest& request,
                             const std::string& target) {
  model::Error error;
  error.code = model::ErrorCode::kTransient;
  error.operation = request.method + " " + request.path.substr(0, request.path.find('?'));
  error.target = target;
  error.message = std::string(curl_easy_strerror(code));
  error.not_sent = code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
                   code == CURLE_COULDNT_RESOLVE_PROXY;
  if (detail != nullptr && *detail != '\0') {
    error.message += ": " + std::string(detail);
  }
  return error;
}

}  // namespace

model::Expected<HttpResponse> CurlTransport::send(const HttpRequest& request) {
  std::lock_guard lock(mutex_);
  CURL* curl = handle_->curl;
  curl_easy_reset(curl);
  configure(curl, request);
  HeaderList headers;
  headers.list = curl_slist_append(headers.list, "Expect:");  // no 100-continue round trip
  if (!request.body.empty() && !request.content_type.empty()) {
    headers.list =
        curl_slist_append(headers.list, ("Content-Type: " + request.content_type).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);

  HttpResponse response;
  Sink sink{&response.body, &response.headers};
  sink.max_body_bytes = request.max_body_bytes;
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, write_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  if (request.abandon != nullptr) {
    sink.cancel = request.abandon;
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_cancel);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &sink);
  }
  char detail[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);

  const CURLcode code = curl_easy_perform(curl);
  if (sink.stopped_by_caller) {
    model::Error error = transport_error(code, detail, request, display());
    error.message = "abandoned in flight: the controller is stopping and its grace is over";
    return error;
  }
  if (sink.too_large) {
    model::Error error = transport_error(code, detail, request, display());
    error.code = model::ErrorCode::kInternal;  // the same answer would come again
    error.message = "the answer is longer than " + std::to_string(request.max_body_bytes >> 20) +
                    " MiB; cut off unread";
    return error;
  }
  if (code != CURLE_OK) {
    return transport_error(code, detail, request, display());
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

model::Expected<int> CurlTransport::stream(const HttpRequest& request,
                                           const std::function<bool(std::string_view)>& on_data,
                                           const std::atomic<bool>* cancel) {
  Handle handle;  // a connection of its own, so requests are not blocked behind the stream
  CURL* curl = handle.curl;
  HttpRequest unlimited = request;
  unlimited.timeout = std::chrono::milliseconds(0);  // 0: no limit on a stream's lifetime
  configure(curl, unlimited);
  std::string unused;
  Sink sink{&unused, nullptr, &on_data, cancel};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_cancel);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &sink);
  char detail[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK && !sink.stopped_by_caller) {
    return transport_error(code, detail, request, display());
  }
  return static_cast<int>(status);
}

}  // namespace swarmop::clients
