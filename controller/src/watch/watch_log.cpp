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
