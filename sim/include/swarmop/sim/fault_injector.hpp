#pragma once

#include <boost/json/value.hpp>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

namespace swarmop::sim {

//! One fault: which requests it hits, and what happens to them.
struct FaultRule {
  std::string node;               //!< hostname of the engine; empty: every engine
  std::string method;             //!< empty: any
  std::string path_regex = ".*";  //!< searched in the path, version prefix included
  int latency_ms = 0;             //!< added before anything else
  int status = 0;                 //!< non-zero: answer this instead, with {"message": message}
  std::string message = "injected fault";
  bool drop = false;  //!< close the connection without a complete response
  bool hang = false;  //!< hold the request until the rule is removed (or hang_ms pass)
  int hang_ms = 0;    //!< 0: until cleared
  int count = -1;     //!< how many matching requests it hits; -1: all of them
  double probability = 1.0;
  std::uint64_t seed = 1;

  //! Reads a rule from the test API's JSON (same field names, camel-cased: "path", "latencyMs"
  //! and snake_case "latency_ms" both accepted). Returns nullopt with `error` when malformed.
  static std::optional<FaultRule> from_json(const boost::json::value& json, std::string& error);
};

//! What to do with one request.
struct FaultAction {
  int latency_ms = 0;
  int status = 0;
  std::string message;
  bool drop = false;
  bool hang = false;
  int hang_ms = 0;
  std::uint64_t rule_id = 0;
};

//! The fault rules of a simulated cluster, consulted by every engine before it routes a
//! request. Thread-safe.
class FaultInjector {
 public:
  std::uint64_t add(FaultRule rule);
  void remove(std::uint64_t id);
  void clear();
  //! The action for this request, consuming one use of the first rule that hits it.
  std::optional<FaultAction> match(const std::string& node, const std::string& method,
                                   const std::string& path);
  //! How many requests the rule has hit so far (0 once it is removed), so a test can wait for
  //! a request to arrive.
  std::uint64_t hits(std::uint64_t id) const;
  //! Blocks a hung request until its rule is removed, `hang_ms` passes, or release_all().
  void hold(const FaultAction& action);
  //! Frees every held request (shutdown).
  void release_all();
  std::size_t size() const;

 private:
  struct Entry {
    std::uint64_t id;
    FaultRule rule;
    std::regex path;
    std::mt19937_64 random;
    std::uint64_t hits = 0;
  };
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::vector<Entry> rules_;
  std::uint64_t next_id_ = 1;
  std::uint64_t release_generation_ = 0;
};

}  // namespace swarmop::sim
