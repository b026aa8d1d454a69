#include "swarmop/sim/socket_proxy.hpp"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>

namespace swarmop::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

//! One client connection and its backend connection; each direction is a read-write loop.
class Splice : public std::enable_shared_from_this<Splice> {
 public:
  template <class FrontSocket>
  Splice(FrontSocket front, tcp::socket back)
      : front_(std::make_unique<Front<FrontSocket>>(std::move(front))), back_(std::move(back)) {}

  void start(const tcp::endpoint& backend) {
    auto self = shared_from_this();
    back_.async_connect(backend, [self](const boost::system::error_code& error) {
      if (error) {
        self->close();
        return;
      }
      // Requests arrive in pieces (headers, then body): without this each waits for the
      // backend's delayed ACK.
      boost::system::error_code ignored;
      self->back_.set_option(tcp::no_delay(true), ignored);
      self->pump_front_to_back();
      self->pump_back_to_front();
    });
  }

  void close() {
    boost::system::error_code ignored;
    front_->close();
    back_.close(ignored);
  }

 private:
  //! Type erasure over tcp and unix sockets for the client side.
  struct FrontBase {
    virtual ~FrontBase() = default;
    virtual void read(asio::mutable_buffer,
                      std::function<void(boost::system::error_code, std::size_t)>) = 0;
    virtual void write(asio::const_buffer,
                       std::function<void(boost::system::error_code, std::size_t)>) = 0;
    virtual void shutdown_send() = 0;
    virtual void close() = 0;
  };
  template <class Socket>
  struct Front final : FrontBase {
    explicit Front(Socket s) : socket(std::move(s)) {}
    void read(asio::mutable_buffer buffer,
              std::function<void(boost::system::error_code, std::size_t)> done) override {
      socket.async_read_some(buffer, std::move(done));
    }
    void write(asio::const_buffer buffer,
               std::function<void(boost::system::error_code, std::size_t)> done) override {
      asio::async_write(socket, buffer, std::move(done));
    }
    void shutdown_send() override {
      boost::system::error_code ignored;
      socket.shutdown(Socket::shutdown_send, ignored);
    }
    void close() override {
      boost::system::error_code ignored;
      socket.close(ignored);
    }
    Socket socket;
  };

  void pump_front_to_back() {
    auto self = shared_from_this();
    front_->read(asio::buffer(upstream_), [self](boost::system::error_code error, std::size_t n) {
      if (error) {
        // The client finished sending (or vanished): pass the half-close on.
        boost::system::error_code ignored;
        self->back_.shutdown(tcp::socket::shutdown_send, ignored);
        if (error != asio::error::eof) {
          self->close();
        }
        return;
      }
      asio::async_write(self->back_, asio::buffer(self->upstream_.data(), n),
                        [self](boost::system::error_code write_error, std::size_t) {
                          if (write_error) {
                            self->close();
                            return;
                          }
                          self->pump_front_to_back();
                        });
    });
  }

  void pump_back_to_front() {
    auto self = shared_from_this();
    back_.async_read_some(
        asio::buffer(downstream_), [self](boost::system::error_code error, std::size_t n) {
          if (error) {
            // The server closed: the whole exchange is over (httplib closes after its response).
            self->front_->shutdown_send();
            self->close();
            return;
          }
          self->front_->write(asio::buffer(self->downstream_.data(), n),
                              [self](boost::system::error_code write_error, std::size_t) {
                                if (write_error) {
                                  self->close();
                                  return;
                                }
                                self->pump_back_to_front();
                              });
        });
  }

  std::unique_ptr<FrontBase> front_;
  tcp::socket back_;
  std::array<char, 16384> upstream_{};
  std::array<char, 16384> downstream_{};
};

template <class Protocol>
class ProxyImpl final : public SocketProxy {
 public:
  ProxyImpl(typename Protocol::endpoint listen_at, int backend_port, std::string unix_path)
      : acceptor_(io_),
        backend_(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(backend_port)),
        unix_path_(std::move(unix_path)) {
    acceptor_.open(listen_at.protocol());
    if constexpr (std::is_same_v<Protocol, tcp>) {
      acceptor_.set_option(asio::socket_base::reuse_address(true));
    }
    acceptor_.bind(listen_at);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    accept_next();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~ProxyImpl() override { stop(); }

  std::string address() const override {
    if constexpr (std::is_same_v<Protocol, tcp>) {
      return "tcp://127.0.0.1:" + std::to_string(tcp_port());
    } else {
      return "unix://" + unix_path_;
    }
  }

  int tcp_port() const override {
    if constexpr (std::is_same_v<Protocol, tcp>) {
      return port_;
    } else {
      return 0;
    }
  }

  void set_refusing(bool refusing) override {
    refusing_ = refusing;
    if (refusing) {
      asio::post(io_, [this] { close_all(); });
    }
  }

  void stop() override {
    if (stopped_.exchange(true)) {
      return;
    }
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      close_all();
      io_.stop();
    });
    if (thread_.joinable()) {
      thread_.join();
    }
    if (!unix_path_.empty()) {
      std::error_code ignored;
      std::filesystem::remove(unix_path_, ignored);
    }
  }

  void remember_port() {
    if constexpr (std::is_same_v<Protocol, tcp>) {
      port_ = acceptor_.local_endpoint().port();
    }
  }

 private:
  void accept_next() {
    acceptor_.async_accept([this](boost::system::error_code error, typename Protocol::socket s) {
      if (error) {
        if (error != asio::error::operation_aborted) {
          accept_next();
        }
        return;
      }
      if (refusing_) {
        boost::system::error_code ignored;
        s.close(ignored);
      } else {
        if constexpr (std::is_same_v<Protocol, tcp>) {
          // Responses are relayed in pieces; without this each waits for a delayed ACK.
          boost::system::error_code ignored;
          s.set_option(tcp::no_delay(true), ignored);
        }
        auto splice = std::make_shared<Splice>(std::move(s), tcp::socket(io_));
        live_.insert(splice);
        splice->start(backend_);
        // Forget finished splices now and then; a weak set would do the same.
        std::erase_if(live_, [](const std::weak_ptr<Splice>& w) { return w.expired(); });
      }
      accept_next();
    });
  }

  void close_all() {
    for (const auto& weak : live_) {
      if (auto splice = weak.lock()) {
        splice->close();
      }
    }
    live_.clear();
  }

  asio::io_context io_;
  typename Protocol::acceptor acceptor_;
  tcp::endpoint backend_;
  std::string unix_path_;
  int port_ = 0;
  std::atomic<bool> refusing_{false};
  std::atomic<bool> stopped_{false};
  std::set<std::weak_ptr<Splice>, std::owner_less<std::weak_ptr<Splice>>> live_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<SocketProxy> SocketProxy::on_unix_socket(const std::string& path,
                                                         int backend_port) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  return std::make_unique<ProxyImpl<asio::local::stream_protocol>>(
      asio::local::stream_protocol::endpoint(path), backend_port, path);
}

std::unique_ptr<SocketProxy> SocketProxy::on_tcp(const std::string& host, int port,
                                                 int backend_port) {
  auto proxy = std::make_unique<ProxyImpl<tcp>>(
      tcp::endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port)), backend_port,
      "");
  proxy->remember_port();
  return proxy;
}

}  // namespace swarmop::sim
