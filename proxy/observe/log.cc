#include "observe/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

#include "observe/access_log.h"

namespace vigie::observe {
namespace {

std::string escaped(std::string_view msg) {
  std::string out;
  json_escape(out, msg);
  return out;
}

}  // namespace

void init_process_log() {
  auto logger = spdlog::stderr_logger_mt("vigie");
  logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})", spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void log_info(std::string_view msg) { spdlog::info("{}", escaped(msg)); }
void log_warn(std::string_view msg) { spdlog::warn("{}", escaped(msg)); }
void log_error(std::string_view msg) { spdlog::error("{}", escaped(msg)); }

}  // namespace vigie::observe
