#include "watch/watch_log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

namespace swarmop::watch {

WatchLog::WatchLog(LogFormat format, std::shared_ptr<spdlog::logger> sink)
    : format_(format), logger_(std::move(sink)) {
  if (!logger_) {
    logger_ = std::make_shared<spdlog::logger>("watch",
                                               std::make_shared<spdlog::sinks::stderr_sink_mt>());
  }
  // JSON lines carry their own time and level; text lines get them from the pattern.
  logger_->set_pattern(format_ == LogFormat::kJson ? "%v" : "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  if (name == "debug") {
    return LogLevel::kDebug;
  }
  if (name == "info") {
    return LogLevel::kInfo;
  }
  if (name == "warn") {
    return LogLevel::kWarn;
  }
  if (name == "error") {
    return LogLevel::kError;
  }
  return std::nullopt;
}

void WatchLog::set_level(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      logger_->set_level(spdlog::level::debug);
      break;
    case LogLevel::kInfo:
      logger_->set_level(spdlog::level::info);
      break;
    case LogLevel::kWarn:
      logger_->set_level(spdlog::level::warn);
      break;
    case LogLevel::kError:
      logger_->set_level(spdlog::level::err);
      break;
  }
}

bool WatchLog::debug_enabled() const {
  return logger_->should_log(spdlog::level::debug);
}

std::string WatchLog::line(const std::string& level, const std::string& event,
                           const Fields& fields) const {
  if (format_ == LogFormat::kJson) {
    boost::json::object out{{"time", std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()},
                            {"level", level},
                            {"event", event}};
    for (const auto& [key, value] : fields) {
      out[key] = value;
    }
    return boost::json::serialize(out);
  }
  std::string out = event;
  for (const auto& [key, value] : fields) {
    const bool quote = value.empty() || value.find_first_of(" \"=") != std::string::npos;
    out += ' ' + key + '=' + (quote ? boost::json::serialize(boost::json::value(value)) : value);
  }
  return out;
}

void WatchLog::debug(const std::string& event, const Fields& fields) {
  if (debug_enabled()) {  // the line is built only when it is written
    logger_->debug("{}", line("debug", event, fields));
  }
}

void WatchLog::info(const std::string& event, const Fields& fields) {
  logger_->info("{}", line("info", event, fields));
}

void WatchLog::warn(const std::string& event, const Fields& fields) {
  logger_->warn("{}", line("warn", event, fields));
}

void WatchLog::error(const std::string& event, const Fields& fields) {
  logger_->error("{}", line("error", event, fields));
}

}  // namespace swarmop::watch
