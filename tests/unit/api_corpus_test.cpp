// Bad input (issue #11): broken API responses fed to every decoder of their API. The files of
// tests/corpus/api/{docker,couchbase,rabbitmq}/ (tests/corpus/api/README.md) go through every
// decoder as the clients run them; the bodies too big to store (tens of MiB) and the deepest
// nestings are generated here. Every decoder must return (no crash, no exception): a value, or
// an error that names the API and, for a corpus file's own decoder, what was wrong.
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "swarmop/clients/couchbase_http_client.hpp"
#include "swarmop/clients/couchbase_json.hpp"
#include "swarmop/clients/docker_json.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"
#include "swarmop/clients/rabbitmq_json.hpp"

using namespace swarmop;
using namespace swarmop::clients;
namespace json = boost::json;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

// Peak heap use, measured with AddressSanitizer's allocation hooks (sanitizer builds only: a
// plain build runs the same cases without the memory bound).
#if defined(__SANITIZE_ADDRESS__)
#define SWARMOP_MEASURE_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWARMOP_MEASURE_HEAP 1
#endif
#endif

#ifdef SWARMOP_MEASURE_HEAP
// <sanitizer/allocator_interface.h>, which GCC does not install.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*));
extern "C" std::size_t __sanitizer_get_allocated_size(const volatile void* pointer);
#endif

namespace {

// ---------------------------------------------------------------------------------------------
// Heap measurement

#ifdef SWARMOP_MEASURE_HEAP
std::atomic<std::int64_t> live_bytes{0};  // signed: frees of blocks older than the hooks
std::atomic<std::int64_t> peak_bytes{0};

void on_malloc(const volatile void*, std::size_t size) {
  const std::int64_t live =
      live_bytes.fetch_add(static_cast<std::int64_t>(size)) + static_cast<std::int64_t>(size);
  std::int64_t peak = peak_bytes.load();
  while (live > peak && !peak_bytes.compare_exchange_weak(peak, live)) {
  }
}

void on_free(const volatile void* pointer) {
  live_bytes.fetch_sub(static_cast<std::int64_t>(__sanitizer_get_allocated_size(pointer)));
}
#endif

//! The most heap that `run` used on top of what was allocated before it; nullopt when this
//! build cannot measure it.
std::optional<std::size_t> peak_heap_of(const std::function<void()>& run) {
#ifdef SWARMOP_MEASURE_HEAP
  static const bool installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
  REQUIRE(installed);
  const std::int64_t before = live_bytes.load();
  peak_bytes.store(before);
  run();
  return static_cast<std::size_t>(std::max<std::int64_t>(0, peak_bytes.load() - before));
#else
  run();
  return std::nullopt;
#endif
}

// ---------------------------------------------------------------------------------------------
// Decoders, run as the clients run them

//! One decoder of an API, fed a whole response body; returns the error it gave, if any.
struct Decoder {
  std::string name;  //!< the file-name prefix of its corpus files: "nodes", "pools-default"
  std::function<std::optional<model::Error>(const std::string& body)> run;
};

template <class T>
std::optional<model::Error> error_of(const model::Expected<T>& decoded) {
  if (decoded) {
    return std::nullopt;
  }
  return decoded.error();
}

//! The Docker client parses with docker_json::parse(body, WHAT) and hands the value to the
//! decoder (DockerHttpClient's decode_response, and events() for each line): the same here.
std::vector<Decoder> docker_decoders() {
  const auto decoder = [](std::string name, std::string what, auto decode) {
    return Decoder{std::move(name),
                   [what, decode](const std::string& body) -> std::optional<model::Error> {
                     const auto parsed = docker_json::parse(body, what);
                     if (!parsed) {
                       return parsed.error();
                     }
                     return error_of(decode(*parsed));
                   }};
  };
  return {
      decoder("version", "/version", docker_json::decode_version),
      decoder("info", "/info", docker_json::decode_info),
      decoder("swarm", "/swarm", docker_json::decode_swarm),
      decoder("node", "/nodes/{id}", docker_json::decode_node),
      decoder("nodes", "/nodes", docker_json::decode_nodes),
      decoder("service", "/services/{id}", docker_json::decode_service),
      decoder("services", "/services", docker_json::decode_services),
      decoder("tasks", "/tasks", docker_json::decode_tasks),
      decoder("event", "an event", docker_json::decode_event),
  };
}

//! Answers every request with 200 and the body under test (*body), as a server would.
class CannedTransport final : public HttpTransport {
 public:
  explicit CannedTransport(const std::string* const* body) : body_(body) {}
  model::Expected<HttpResponse> send(const HttpRequest&) override {
    return HttpResponse{200, **body_, {}};
  }
  model::Expected<int> stream(const HttpRequest&, const std::function<bool(std::string_view)>&,
                              const std::atomic<bool>*) override {
    return 200;
  }
  std::string display() const override { return "http://canned:8091"; }

 private:
  const std::string* const* body_;
};

template <class Client, class... Args>
std::unique_ptr<Client> canned_client(const std::string* const* body, Args&&... args) {
  std::vector<std::unique_ptr<HttpTransport>> endpoints;
  endpoints.push_back(std::make_unique<CannedTransport>(body));
  return std::make_unique<Client>(std::move(endpoints), std::forward<Args>(args)...);
}

//! The Couchbase and RabbitMQ clients parse in http_common::decode_json_body (a header of
//! clients/src): their decoders run through the client itself, over a canned transport.
struct CouchbaseDecoders {
  const std::string* body = nullptr;
  std::unique_ptr<CouchbaseHttpClient> client =
      canned_client<CouchbaseHttpClient>(&body, BasicAuth{"Administrator", "pw"});

  std::vector<Decoder> all() {
    const auto decoder = [this](std::string name, auto call) {
      return Decoder{std::move(name), [this, call](const std::string& text) {
                       body = &text;
                       return error_of(call(*client));
                     }};
    };
    return {
        decoder("pools-default", [](CouchbaseClient& c) { return c.cluster(); }),
        decoder("buckets", [](CouchbaseClient& c) { return c.buckets(); }),
        decoder("add-node", [](CouchbaseClient& c) { return c.add_node("10.0.0.9", {"kv"}); }),
        decoder("rebalance-progress", [](CouchbaseClient& c) { return c.rebalance_progress(); }),
        decoder("tasks", [](CouchbaseClient& c) { return c.tasks(); }),
        decoder("auto-failover", [](CouchbaseClient& c) { return c.auto_failover(); }),
        decoder("index-status", [](CouchbaseClient& c) { return c.index_status(); }),
    };
  }
};

struct RabbitDecoders {
  const std::string* body = nullptr;
  std::unique_ptr<RabbitHttpClient> client = canned_client<RabbitHttpClient>(&body);

  std::vector<Decoder> all() {
    const auto decoder = [this](std::string name, auto call) {
      return Decoder{std::move(name), [this, call](const std::string& text) {
                       body = &text;
                       return error_of(call(*client));
                     }};
    };
    return {
        decoder("overview", [](RabbitClient& c) { return c.overview(); }),
        decoder("nodes", [](RabbitClient& c) { return c.nodes(); }),
        decoder("policies", [](RabbitClient& c) { return c.policies("/"); }),
        decoder("policy", [](RabbitClient& c) { return c.policy("/", "ha-all"); }),
        decoder("queues", [](RabbitClient& c) { return c.queues("/"); }),
        decoder("health", [](RabbitClient& c) { return c.health_check("rabbit1@localhost"); }),
    };
  }
};

//! The error-body readers take any bytes too (they read the bodies of non-2xx answers).
void read_as_error_body(const std::string& body) {
  CHECK_NOTHROW(docker_json::error_message(body));
  std::string couchbase;
  CHECK_NOTHROW(couchbase = couchbase_error_text(body));
  CHECK(couchbase.size() <= 303);  // 300 characters and "..."
  CHECK_NOTHROW(rabbit_error_reason(body));
}

// ---------------------------------------------------------------------------------------------
// The corpus

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const fs::path kCorpus = fs::path(SWARMOP_SOURCE_DIR) / "tests" / "corpus" / "api";

//! What a corpus file's own decoder (the file-name prefix) must answer: an error whose message
//! contains `error`, or, for nullptr, a value (an odd field the decoder reads as empty).
using Expectations = std::map<std::string, const char*>;

const Expectations kDocker = {
    {"version--truncated.json", "/version is not valid JSON (incomplete JSON)"},
    {"version--api-version-is-number.json", "/version has no ApiVersion"},
    {"version--missing-api-version.json", "/version has no ApiVersion"},
    {"version--is-array.json", "/version is not a JSON object"},
    {"version--empty-body.json", "/version is not valid JSON (incomplete JSON)"},
    {"version--html-error-page.json", "/version is not valid JSON (syntax error)"},
    {"info--swarm-is-array.json", nullptr},
    {"info--system-time-is-number.json", nullptr},
    {"info--null.json", "/info is not a JSON object"},
    {"swarm--version-index-is-string.json", nullptr},
    {"swarm--join-tokens-null.json", nullptr},
    {"swarm--html-error-page.json", "/swarm is not valid JSON (syntax error)"},
    {"node--spec-is-array.json", nullptr},
    {"node--truncated.json", "/nodes/{id} is not valid JSON (incomplete JSON)"},
    {"node--missing-id.json", "a node has no ID"},
    {"nodes--truncated.json", "/nodes is not valid JSON (incomplete JSON)"},
    {"nodes--version-is-string.json", nullptr},
    {"nodes--object-not-array.json", "/nodes is not a JSON array"},
    {"nodes--missing-id.json", "a node has no ID"},
    {"nodes--id-is-number.json", "a node has no ID"},
    {"nodes--element-is-null.json", "a node is not a JSON object"},
    {"nodes--empty-body.json", "/nodes is not valid JSON (incomplete JSON)"},
    {"nodes--html-error-page.json", "/nodes is not valid JSON (syntax error)"},
    {"nodes--deeply-nested.json", "/nodes is not valid JSON (too deep)"},
    {"nodes--version-out-of-range.json", nullptr},
    {"nodes--duplicate-keys.json", nullptr},
    {"nodes--non-utf8.json", "/nodes is not valid JSON (syntax error)"},
    {"nodes--huge-string.json", nullptr},
    {"service--truncated.json", "/services/{id} is not valid JSON (incomplete JSON)"},
    {"service--replicas-is-string.json", nullptr},
    {"service--spec-is-array.json", nullptr},
    {"service--missing-id.json", "a service has no ID"},
    {"service--id-null.json", "a service has no ID"},
    {"services--element-is-string.json", "a service is not a JSON object"},
    {"services--null.json", "/services is not a JSON array"},
    {"services--object-where-array.json", "/services is not a JSON array"},
    {"tasks--truncated.json", "/tasks is not valid JSON (incomplete JSON)"},
    {"tasks--missing-id.json", "a task has no ID"},
    {"tasks--object-not-array.json", "/tasks is not a JSON array"},
    {"tasks--slot-out-of-range.json", nullptr},
    {"tasks--timestamp-is-number.json", nullptr},
    {"event--truncated.json", "an event is not valid JSON (incomplete JSON)"},
    {"event--is-array.json", "an event is not a JSON object"},
    {"event--time-out-of-range.json", nullptr},
    {"event--attributes-is-array.json", nullptr},
    {"event--non-utf8.json", "an event is not valid JSON (syntax error)"},
};

const Expectations kCouchbase = {
    {"pools-default--truncated.json", "not valid JSON (incomplete JSON)"},
    {"pools-default--missing-nodes.json", "/pools/default has no nodes"},
    {"pools-default--nodes-is-object.json", "/pools/default has no nodes"},
    {"pools-default--nodes-null.json", "/pools/default has no nodes"},
    {"pools-default--node-missing-otp-node.json", "a node has no otpNode"},
    {"pools-default--otp-node-is-number.json", "a node has no otpNode"},
    {"pools-default--services-is-string.json", nullptr},
    {"pools-default--counters-out-of-range.json", nullptr},
    {"pools-default--duplicate-keys.json", nullptr},
    {"pools-default--empty-body.json", "not valid JSON (incomplete JSON)"},
    {"pools-default--html-error-page.json", "not valid JSON (syntax error)"},
    {"pools-default--deeply-nested.json", "not valid JSON (too deep)"},
    {"pools-default--non-utf8.json", "not valid JSON (syntax error)"},
    {"pools-default--huge-string.json", nullptr},
    {"buckets--object-not-array.json", "/pools/default/buckets is not a JSON array"},
    {"buckets--name-null.json", "a bucket has no name"},
    {"buckets--replica-number-out-of-range.json", nullptr},
    {"buckets--truncated.json", "not valid JSON (incomplete JSON)"},
    {"add-node--otp-node-is-array.json", "/controller/addNode answered without an otpNode"},
    {"add-node--missing-otp-node.json", "/controller/addNode answered without an otpNode"},
    {"add-node--empty-body.json", "not valid JSON (incomplete JSON)"},
    {"rebalance-progress--missing-status.json", "/pools/default/rebalanceProgress has no status"},
    {"rebalance-progress--progress-is-string.json", nullptr},
    {"rebalance-progress--progress-out-of-range.json", nullptr},
    {"rebalance-progress--status-is-object.json", "/pools/default/rebalanceProgress has no status"},
    {"tasks--element-is-number.json", "a task is not a JSON object"},
    {"tasks--missing-type.json", "a task has no type"},
    {"tasks--truncated.json", "not valid JSON (incomplete JSON)"},
    {"auto-failover--enabled-is-string.json", "/settings/autoFailover has no enabled"},
    {"auto-failover--missing-enabled.json", "/settings/autoFailover has no enabled"},
    {"auto-failover--timeout-out-of-range.json", nullptr},
    {"index-status--indexes-is-object.json", "/indexStatus has no indexes"},
    {"index-status--index-is-null.json", "an index is not a JSON object"},
    {"index-status--html-error-page.json", "not valid JSON (syntax error)"},
};

const Expectations kRabbit = {
    {"overview--truncated.json", "not valid JSON (incomplete JSON)"},
    {"overview--version-is-number.json", "/api/overview has no rabbitmq_version"},
    {"overview--missing-version.json", "/api/overview has no rabbitmq_version"},
    {"overview--is-array.json", "/api/overview is not a JSON object"},
    {"overview--empty-body.json", "not valid JSON (incomplete JSON)"},
    {"overview--html-error-page.json", "not valid JSON (syntax error)"},
    {"overview--deeply-nested.json", "not valid JSON (too deep)"},
    {"overview--non-utf8.json", "not valid JSON (syntax error)"},
    {"overview--huge-string.json", nullptr},
    {"overview--duplicate-keys.json", nullptr},
    {"overview--object-totals-out-of-range.json", nullptr},
    {"nodes--object-not-array.json", "/api/nodes is not a JSON array"},
    {"nodes--missing-name.json", "a node has no name"},
    {"nodes--running-is-string.json", nullptr},
    {"nodes--partitions-null.json", nullptr},
    {"nodes--truncated.json", "not valid JSON (incomplete JSON)"},
    {"policy--definition-is-array.json", nullptr},
    {"policy--priority-out-of-range.json", nullptr},
    {"policy--missing-name.json", "a policy has no name"},
    {"policy--name-is-number.json", "a policy has no name"},
    {"policies--element-is-null.json", "a policy is not a JSON object"},
    {"policies--null.json", "/api/policies is not a JSON array"},
    {"policies--priority-out-of-range.json", nullptr},
    {"queues--messages-out-of-range.json", nullptr},
    {"queues--slave-nodes-is-string.json", nullptr},
    {"queues--name-is-number.json", "a queue has no name"},
    {"queues--truncated.json", "not valid JSON (incomplete JSON)"},
    {"health--truncated.json", "not valid JSON (incomplete JSON)"},
    {"health--status-is-object.json", nullptr},
    {"health--html-error-page.json", "not valid JSON (syntax error)"},
};

//! Every error a decoder gives for a 200 answer is the decoder's: kInternal, and a message
//! "unexpected response from API: ..." (describe() is what logs and status print).
void check_clean_error(const model::Error& error, const std::string& api_prefix) {
  CHECK(error.code == model::ErrorCode::kInternal);
  CHECK_THAT(error.message, StartsWith(api_prefix));
  CHECK(error.message.size() > api_prefix.size());
  CHECK_FALSE(error.describe().empty());
}

//! Every file of tests/corpus/api/API through every decoder of the API.
void run_corpus(const std::string& api, const std::string& api_prefix,
                const Expectations& expectations, const std::vector<Decoder>& decoders) {
  const fs::path folder = kCorpus / api;
  REQUIRE(fs::is_directory(folder));
  const std::string readme = read_file(kCorpus / "README.md");
  std::set<std::string> names;
  for (const auto& decoder : decoders) {
    names.insert(decoder.name);
  }

  std::set<std::string> seen;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string file = entry.path().filename().string();
    INFO(api << "/" << file);
    seen.insert(file);
    // The table above, the file names and the README agree.
    const auto expected = expectations.find(file);
    REQUIRE(expected != expectations.end());
    const std::string target = file.substr(0, file.find("--"));
    REQUIRE(names.count(target) == 1);
    CHECK_THAT(readme, Contains("`" + file + "`"));

    const std::string body = read_file(entry.path());
    for (const auto& decoder : decoders) {
      INFO("decoder " << decoder.name);
      std::optional<model::Error> error;
      REQUIRE_NOTHROW(error = decoder.run(body));
      INFO("error: " << (error ? error->message : "none"));
      if (error) {
        check_clean_error(*error, api_prefix);
      }
      if (decoder.name != target) {
        continue;
      }
      if (expected->second != nullptr) {
        REQUIRE(error.has_value());
        CHECK_THAT(error->message, Contains(expected->second));
      } else {
        CHECK_FALSE(error.has_value());
      }
    }
    read_as_error_body(body);
  }
  for (const auto& [file, expectation] : expectations) {
    INFO(api << "/" << file << " is in the table but not in the folder");
    CHECK(seen.count(file) == 1);
  }
}

const std::string kDockerPrefix = "unexpected response from the Docker engine: ";
const std::string kCouchbasePrefix = "unexpected response from Couchbase: ";
const std::string kRabbitPrefix = "unexpected response from RabbitMQ: ";

// ---------------------------------------------------------------------------------------------
// Generated bodies

constexpr std::size_t kMiB = 1024 * 1024;

//! `count` copies of `item`, as a JSON array.
std::string json_array(const std::string& item, std::size_t count) {
  std::string out;
  out.reserve(count * (item.size() + 1) + 2);
  out += '[';
  for (std::size_t i = 0; i < count; ++i) {
    out += i == 0 ? "" : ",";
    out += item;
  }
  out += ']';
  return out;
}

//! `levels` nested arrays, or objects {"a":{"a":...}}, around `inner`.
std::string nested(std::size_t levels, bool objects, const std::string& inner = "") {
  std::string out;
  out.reserve(levels * 6 + inner.size());
  for (std::size_t i = 0; i < levels; ++i) {
    out += objects ? "{\"a\":" : "[";
  }
  out += objects && inner.empty() ? "1" : inner;
  for (std::size_t i = 0; i < levels; ++i) {
    out += objects ? '}' : ']';
  }
  return out;
}

// Heap bounds, in multiples of the body's size (plus 16 MiB). A 64 MiB string is held a few
// times over: the client's copy of the body, the parser's buffer, the JSON value and the decoded
// field (measured: 4x at most). An array of short elements costs more per byte: Boost.JSON keeps
// a 16-byte value per element however short its text ("0," is 2 bytes) and a parse stack beside
// it, and a decoded model takes a few hundred bytes for tens of bytes of text (measured: 26x for
// zeros, 15x for objects). What they catch is memory driven by a count or a length read from the
// body rather than by its bytes (decode_list's reserve() was 220x on the zeros).
constexpr std::size_t kStringFactor = 5;
constexpr std::size_t kArrayFactor = 32;
constexpr std::size_t kMillion = 1'000'000;
constexpr std::size_t kObjects = 100'000;  // decoded into as many models: fewer, for time

//! Runs every decoder on `body`: each returns, an error is clean, and the heap each used stays
//! within `factor` times the body's size. Returns the names of the decoders that gave a value.
std::set<std::string> run_generated(const std::string& body, const std::vector<Decoder>& decoders,
                                    const std::string& api_prefix, std::size_t factor) {
  std::set<std::string> decoded;
  for (const auto& decoder : decoders) {
    INFO("decoder " << decoder.name << ", body of " << body.size() << " bytes");
    std::optional<model::Error> error;
    const auto peak = peak_heap_of([&] { REQUIRE_NOTHROW(error = decoder.run(body)); });
    if (error) {
      INFO(error->message.substr(0, 200));
      check_clean_error(*error, api_prefix);
    } else {
      decoded.insert(decoder.name);
    }
    if (peak) {
      INFO("peak heap " << *peak / kMiB << " MiB");
      CHECK(*peak <= factor * body.size() + 16 * kMiB);
    }
  }
  read_as_error_body(body);
  return decoded;
}

//! Deep nestings: the parsers stop at Boost.JSON's default depth limit (32) with an error,
//! without recursion, whatever the depth and wherever the nesting starts.
void run_deep(const std::vector<Decoder>& decoders, const std::string& api_prefix,
              const std::string& valid_object_head) {
  const std::vector<std::string> bodies = {
      nested(1'000'000, false),
      nested(100'000, true),
      // Inside a body that starts as a valid answer.
      valid_object_head + ",\"deep\":" + nested(100'000, false) + "}",
      "[" + valid_object_head + ",\"deep\":" + nested(10'000, true) + "}]",
  };
  for (const auto& body : bodies) {
    for (const auto& decoder : decoders) {
      INFO("decoder " << decoder.name << " on " << body.substr(0, 60));
      std::optional<model::Error> error;
      REQUIRE_NOTHROW(error = decoder.run(body));
      REQUIRE(error.has_value());
      check_clean_error(*error, api_prefix);
      CHECK_THAT(error->message, Contains("not valid JSON (too deep)"));
    }
    read_as_error_body(body);
  }
}

//! A 64 MiB string value.
std::string huge() {
  return std::string(64 * kMiB, 'x');
}

}  // namespace

TEST_CASE("API corpus: Docker Engine API bodies through every decoder", "[unit][corpus][docker]") {
  run_corpus("docker", kDockerPrefix, kDocker, docker_decoders());
}

TEST_CASE("API corpus: Couchbase bodies through every decoder", "[unit][corpus][couchbase]") {
  CouchbaseDecoders couchbase;
  run_corpus("couchbase", kCouchbasePrefix, kCouchbase, couchbase.all());
}

TEST_CASE("API corpus: RabbitMQ bodies through every decoder", "[unit][corpus][rabbitmq]") {
  RabbitDecoders rabbit;
  run_corpus("rabbitmq", kRabbitPrefix, kRabbit, rabbit.all());
}

TEST_CASE("API corpus: odd values read as empty, the last of duplicate keys wins",
          "[unit][corpus]") {
  const auto parse = [](const std::string& api, const std::string& file) {
    return json::parse(read_file(kCorpus / api / file));
  };
  // 1e400 (read as infinity), -1 and 2^64 (read as a double) for unsigned fields: 0.
  const auto nodes = docker_json::decode_nodes(parse("docker", "nodes--version-out-of-range.json"));
  REQUIRE(nodes);
  REQUIRE(nodes->size() == 3);
  for (const auto& node : *nodes) {
    CHECK(node.version == 0);
  }
  const auto tasks = docker_json::decode_tasks(parse("docker", "tasks--slot-out-of-range.json"));
  REQUIRE(tasks);
  REQUIRE(tasks->size() == 3);
  for (const auto& task : *tasks) {
    CHECK(task.slot == 0);
  }
  const auto event = docker_json::decode_event(parse("docker", "event--time-out-of-range.json"));
  REQUIRE(event);
  CHECK(event->time == 0);
  CHECK(event->time_nano == 0);
  const auto duplicated = docker_json::decode_nodes(parse("docker", "nodes--duplicate-keys.json"));
  REQUIRE(duplicated);
  CHECK(duplicated->at(0).id == "duplicated-id");
  CHECK(duplicated->at(0).role == "worker");

  const auto cluster = couchbase_json::decode_cluster(
      parse("couchbase", "pools-default--counters-out-of-range.json"));
  REQUIRE(cluster);
  CHECK(cluster->counters == std::map<std::string, std::uint64_t>{{"failover_node", 0},
                                                                  {"rebalance_start", 0},
                                                                  {"rebalance_success", 0}});
  const auto buckets = couchbase_json::decode_buckets(
      parse("couchbase", "buckets--replica-number-out-of-range.json"));
  REQUIRE(buckets);
  REQUIRE(buckets->size() == 3);
  CHECK((*buckets)[0].replica_number == 0);
  CHECK((*buckets)[2].replica_number == 0);
  const auto same_key =
      couchbase_json::decode_cluster(parse("couchbase", "pools-default--duplicate-keys.json"));
  REQUIRE(same_key);
  CHECK(same_key->nodes.at(0).otp_node == "ns_1@b");
  CHECK(same_key->rebalance_status == "none");

  const auto queues =
      rabbitmq_json::decode_queues(parse("rabbitmq", "queues--messages-out-of-range.json"));
  REQUIRE(queues);
  REQUIRE(queues->size() == 3);
  for (const auto& queue : *queues) {
    CHECK(queue.messages == 0);
  }
  const auto policy =
      rabbitmq_json::decode_policy(parse("rabbitmq", "policy--priority-out-of-range.json"));
  REQUIRE(policy);
  CHECK(policy->priority == 0);
  const auto overview =
      rabbitmq_json::decode_overview(parse("rabbitmq", "overview--duplicate-keys.json"));
  REQUIRE(overview);
  CHECK(overview->rabbitmq_version == "4.0.1");
}

TEST_CASE("API corpus: huge Docker bodies decode within bounded memory",
          "[unit][corpus][docker][huge]") {
  const auto decoders = docker_decoders();
  const std::set<std::string> lists = {"nodes", "services", "tasks"};
  // A 64 MiB hostname: kept whole.
  const std::string huge_string = R"([{"ID":"n1","Description":{"Hostname":")" + huge() + R"("}}])";
  CHECK(run_generated(huge_string, decoders, kDockerPrefix, kStringFactor) == lists);
  const auto nodes = docker_json::decode_nodes(json::parse(huge_string));
  REQUIRE(nodes);
  CHECK(nodes->at(0).hostname.size() == 64 * kMiB);
  // Many nodes, services and tasks.
  CHECK(run_generated(json_array(R"({"ID":"qoehzpxy92bar9lrcvs2aohzj","Spec":{}})", kObjects),
                      decoders, kDockerPrefix, kArrayFactor) == lists);
  // A million zeros: no decoder wants them.
  CHECK(run_generated(json_array("0", kMillion), decoders, kDockerPrefix, kArrayFactor).empty());
}

TEST_CASE("API corpus: huge Couchbase bodies decode within bounded memory",
          "[unit][corpus][couchbase][huge]") {
  CouchbaseDecoders couchbase;
  const auto decoders = couchbase.all();
  const std::set<std::string> objects = {"pools-default", "rebalance-progress"};
  const std::string huge_string =
      R"({"status":"none","nodes":[{"otpNode":"ns_1@a","hostname":")" + huge() + R"("}]})";
  CHECK(run_generated(huge_string, decoders, kCouchbasePrefix, kStringFactor) == objects);
  const std::string many_nodes =
      R"({"status":"none","nodes":)" +
      json_array(R"({"otpNode":"ns_1@10.144.210.101","services":["kv"]})", kObjects) + "}";
  CHECK(run_generated(many_nodes, decoders, kCouchbasePrefix, kArrayFactor) == objects);
  CHECK(run_generated(json_array(R"({"name":"b","type":"rebalance"})", kObjects), decoders,
                      kCouchbasePrefix, kArrayFactor) == std::set<std::string>{"buckets", "tasks"});
  CHECK(run_generated(json_array("0", kMillion), decoders, kCouchbasePrefix, kArrayFactor).empty());
}

TEST_CASE("API corpus: huge RabbitMQ bodies decode within bounded memory",
          "[unit][corpus][rabbitmq][huge]") {
  RabbitDecoders rabbit;
  const auto decoders = rabbit.all();
  const std::string huge_string =
      R"({"rabbitmq_version":"3.12.13","cluster_name":")" + huge() + R"(","name":"ha-all"})";
  CHECK(run_generated(huge_string, decoders, kRabbitPrefix, kStringFactor) ==
        std::set<std::string>{"overview", "policy", "health"});
  CHECK(run_generated(json_array(R"({"name":"rabbit1@localhost","running":true})", kObjects),
                      decoders, kRabbitPrefix, kArrayFactor) ==
        std::set<std::string>{"nodes", "policies", "queues", "health"});
  // decode_health reads any JSON: a body it does not know leaves the status code's verdict.
  CHECK(run_generated(json_array("0", kMillion), decoders, kRabbitPrefix, kArrayFactor) ==
        std::set<std::string>{"health"});
}

TEST_CASE("API corpus: deep nesting is an error, not a stack overflow", "[unit][corpus]") {
  run_deep(docker_decoders(), kDockerPrefix, R"({"ID":"n1")");
  CouchbaseDecoders couchbase;
  run_deep(couchbase.all(), kCouchbasePrefix, R"({"otpNode":"ns_1@a","nodes":[])");
  RabbitDecoders rabbit;
  run_deep(rabbit.all(), kRabbitPrefix, R"({"rabbitmq_version":"3.12.13","name":"ha-all")");
}
