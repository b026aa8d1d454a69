#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace spdlog {
class logger;
}

namespace swarmop::watch {

enum class LogFormat { kText, kJson };

//! The controller's log: one line per event with named fields, as human text
//! (`step reconciler=labels action=set-labels object=node2 result=done duration_ms=3`) or as
//! JSON lines (`--log-format json`). Values come from plans and errors, which never hold
//! secrets.
class WatchLog {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;

  explicit WatchLog(LogFormat format, std::shared_ptr<spdlog::logger> sink = nullptr);
  void info(const std::string& event, const Fields& fields = {});
  void warn(const std::string& event, const Fields& fields = {});
  void error(const std::string& event, const Fields& fields = {});

 private:
  std::string line(const std::string& level, const std::string& event, const Fields& fields) const;

  LogFormat format_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace swarmop::watch
