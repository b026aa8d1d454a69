// The Docker client over tcp:// with TLS client certificates (DOCKER_TLS_VERIFY), against a
// loopback HTTPS server that demands a certificate signed by its CA, as dockerd --tlsverify does.
#include <httplib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"

using namespace swarmop;
using namespace swarmop::clients;
namespace fs = std::filesystem;

namespace {

// A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl.
struct Certificates {
  fs::path dir;
  Certificates() {
    dir = fs::temp_directory_path() / ("swop-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string d = dir.string();
    const std::string script =
        "cd '" + d +
        "' && "
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2 "
        "-subj /CN=swop-test-ca && "
        "openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr "
        "-subj /CN=127.0.0.1 && "
        "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial "
        "-out server.pem -days 2 -extfile san.ext && "
        "openssl req -newkey rsa:2048 -nodes -keyout key.pem -out client.csr -subj /CN=client && "
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial "
        "-out cert.pem -days 2 && "
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout other-key.pem -out other-ca.pem "
        "-days 2 -subj /CN=another-ca";
    REQUIRE(std::system(("(" + script + ") >/dev/null 2>&1").c_str()) == 0);
  }
  ~Certificates() { fs::remove_all(dir); }
  std::string at(const char* name) const { return (dir / name).string(); }
};

class TlsEngine {
 public:
  explicit TlsEngine(const Certificates& certs)
      : server_(certs.at("server.pem").c_str(), certs.at("server-key.pem").c_str(),
                certs.at("ca.pem").c_str()) {
    server_.Get("/version", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"ApiVersion":"1.41","MinAPIVersion":"1.12","Version":"20.10.24"})",
                      "application/json");
    });
    server_.Get("/v1.41/info", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"Name":"node1","Swarm":{"LocalNodeState":"active",
                          "ControlAvailable":true}})",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::yield();
    }
  }
  ~TlsEngine() {
    server_.stop();
    thread_.join();
  }
  std::string address() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

model::Expected<EngineInfo> info_with(const std::string& address, TlsConfig tls) {
  auto endpoint = parse_docker_host(address, tls);
  REQUIRE(endpoint);
  DockerHttpClient client(std::make_unique<CurlTransport>(*endpoint), RetryPolicy{1, {}});
  return client.info();
}

}  // namespace

TEST_CASE("TLS with client certificates, as DOCKER_TLS_VERIFY asks", "[unit][docker][tls]") {
  Certificates certs;
  TlsEngine engine(certs);

  auto ok = info_with(engine.address(),
                      {certs.at("ca.pem"), certs.at("cert.pem"), certs.at("key.pem"), true});
  REQUIRE(ok);
  CHECK(ok->control_available);

  // No client certificate: the engine refuses the handshake.
  auto anonymous = info_with(engine.address(), {certs.at("ca.pem"), "", "", true});
  REQUIRE_FALSE(anonymous);
  CHECK(anonymous.error().code == model::ErrorCode::kTransient);

  // A server certificate from another CA is not trusted.
  auto untrusted = info_with(engine.address(), {certs.at("other-ca.pem"), certs.at("cert.pem"),
                                                certs.at("key.pem"), true});
  REQUIRE_FALSE(untrusted);
  CHECK(untrusted.error().message.find("certificate") != std::string::npos);
}

TEST_CASE("DOCKER_TLS_VERIFY and DOCKER_CERT_PATH choose https and the files",
          "[unit][docker][tls]") {
  ::setenv("DOCKER_HOST", "tcp://10.1.2.3:2376", 1);
  ::setenv("DOCKER_TLS_VERIFY", "1", 1);
  ::setenv("DOCKER_CERT_PATH", "/etc/swop-certs", 1);
  auto endpoint = docker_endpoint_from_environment();
  ::unsetenv("DOCKER_HOST");
  ::unsetenv("DOCKER_TLS_VERIFY");
  ::unsetenv("DOCKER_CERT_PATH");
  REQUIRE(endpoint);
  CHECK(endpoint->base_url == "https://10.1.2.3:2376");
  REQUIRE(endpoint->tls);
  CHECK(endpoint->tls->ca_file == "/etc/swop-certs/ca.pem");
  CHECK(endpoint->tls->cert_file == "/etc/swop-certs/cert.pem");
  CHECK(endpoint->tls->key_file == "/etc/swop-certs/key.pem");
  auto plain = docker_endpoint_from_environment(std::string("tcp://127.0.0.1:2375"));
  REQUIRE(plain);
  CHECK(plain->base_url == "http://127.0.0.1:2375");
}
