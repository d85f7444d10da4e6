#include "upstream/wire.h"

namespace vigie::upstream {
namespace http = boost::beast::http;
namespace {

void append_fields(std::string& out, const http::fields& f) {
  for (const auto& field : f) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
}

}  // namespace

void append_request_head(std::string& out, const http::request_header<>& h, std::string_view added) {
  out += h.method_string();
  out += ' ';
  out += h.target();
  out += " HTTP/1.1\r\n";
  append_fields(out, h);
  out += added;
  out += "\r\n";
}

void append_response_head(std::string& out, const http::response_header<>& h) {
  out += "HTTP/1.1 ";
  out += std::to_string(h.result_int());
  out += ' ';
  std::string_view reason = h.reason();
  out += reason.empty() ? std::string_view(http::obsolete_reason(h.result())) : reason;
  out += "\r\n";
  append_fields(out, h);
  out += "\r\n";
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

}  // namespace vigie::upstream
