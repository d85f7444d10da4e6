// The process log (not the access log): JSON lines on stderr through spdlog, set up once by main.
// Messages are JSON-escaped here, so callers may include file names or config values. Never pass
// secrets or tokens to it. Thread-safe.
#pragma once

#include <string_view>

namespace vigie::observe {

void init_process_log();
void log_info(std::string_view msg);
void log_warn(std::string_view msg);
void log_error(std::string_view msg);

}  // namespace vigie::observe
