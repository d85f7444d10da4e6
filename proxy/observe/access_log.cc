#include "observe/access_log.h"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>

#include "core/strings.h"

namespace vigie::observe {
namespace {

void iso_time(std::string& out, std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  out += buf;
}

void field(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":\"";
  json_escape(out, value);
  out += '"';
}

void number(std::string& out, std::string_view name, uint64_t v) {
  out += ",\"";
  out += name;
  out += "\":";
  out += std::to_string(v);
}

}  // namespace

namespace {


}  // namespace

void json_escape(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c >= 0x80) {
          // Valid UTF-8 ("é" in a French message) is kept; a stray byte is escaped so hostile
          // input cannot make the JSON invalid.
          if (size_t n = core::utf8_length(s, i)) {
            out.append(s.substr(i, n));
            i += n - 1;
            break;
          }
        }
        // Control bytes are escaped so a hostile path cannot forge log lines.
        if (c < 0x20 || c >= 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::string format_access_entry(const AccessEntry& e) {
  std::string out;
  out.reserve(384);
  out += "{\"time\":\"";
  iso_time(out, e.time);
  out += '"';
  field(out, "request_id", e.request_id);
  field(out, "client", e.client);
  field(out, "method", e.method);
  field(out, "host", e.host);
  field(out, "path", e.path);
  if (!e.query.empty()) field(out, "query", e.query);
  number(out, "status", static_cast<uint64_t>(e.status));
  number(out, "bytes_in", e.bytes_in);
  number(out, "bytes_out", e.bytes_out);
  out += ",\"duration_ms\":";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", e.duration_s * 1000.0);
  out += buf;
  field(out, "upstream", e.upstream);
  field(out, "route", e.route);
  field(out, "rc_details", e.rc_details);
  if (!e.user.empty()) {
    field(out, "user", e.user);
    field(out, "auth", e.auth);
  }
  if (!e.decision.empty()) {
    field(out, "decision", e.decision);
    field(out, "rule", e.rule);
  }
  out += '}';
  return out;
}

AccessLog::AccessLog(const std::string& path) {
  if (path == "off") return;
  static std::once_flag pool_once;
  std::call_once(pool_once, [] {
    spdlog::init_thread_pool(65536, 1);
    spdlog::flush_every(std::chrono::seconds(1));  // a crash loses at most a second of lines
  });
  spdlog::sink_ptr sink;
  if (path == "stdout") sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  else sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
  logger_ = std::make_shared<spdlog::async_logger>("access", sink, spdlog::thread_pool(),
                                                   spdlog::async_overflow_policy::block);
  logger_->set_pattern("%v");
  logger_->set_level(spdlog::level::info);
  spdlog::register_logger(logger_);  // so flush_every reaches it
}

AccessLog::~AccessLog() {
  flush();
  if (logger_) spdlog::drop(logger_->name());
}

void AccessLog::log(const AccessEntry& e) const {
  if (logger_) logger_->info(format_access_entry(e));
}

void AccessLog::flush() const {
  if (logger_) logger_->flush();
}

}  // namespace vigie::observe
