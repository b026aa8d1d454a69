#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spdlog {
class logger;
}

namespace swarmop::watch {

enum class LogFormat { kText, kJson };

//! The least severe line written. kDebug adds a line per pass (outcome, the plan's next step,
//! what it waits for or what blocks it) and per Docker event: enough to follow every decision.
enum class LogLevel { kDebug, kInfo, kWarn, kError };

//! "debug", "info", "warn", "error"; nullopt for anything else.
std::optional<LogLevel> parse_log_level(std::string_view name);

//! The controller's log: one line per event with named fields, as human text
//! (`step reconciler=labels action=set-labels object=node2 result=done duration_ms=3`) or as
//! JSON lines (`--log-format json`). Values come from plans and errors, which never hold
//! secrets.
class WatchLog {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;

  explicit WatchLog(LogFormat format, std::shared_ptr<spdlog::logger> sink = nullptr);
  void set_level(LogLevel level);
  bool debug_enabled() const;
  void debug(const std::string& event, const Fields& fields = {});
  void info(const std::string& event, const Fields& fields = {});
  void warn(const std::string& event, const Fields& fields = {});
  void error(const std::string& event, const Fields& fields = {});

 private:
  std::string line(const std::string& level, const std::string& event, const Fields& fields) const;

  LogFormat format_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace swarmop::watch
