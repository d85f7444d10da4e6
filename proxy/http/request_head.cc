#include "http/request_head.h"

#include <array>
#include <string>

#include "core/strings.h"

namespace vigie::http {
namespace bhttp = boost::beast::http;
namespace {

struct SetAside {
  bhttp::field name;
  std::string_view value;
};

std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// The field a line (without its CRLF) is set aside as, or unknown to leave it to Beast.
bhttp::field set_aside_field(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bhttp::field::unknown;
  std::string_view name = line.substr(0, colon);
  if (core::iequals(name, "cookie")) return bhttp::field::cookie;
  if (core::iequals(name, "authorization")) return bhttp::field::authorization;
  return bhttp::field::unknown;
}

}  // namespace

bool valid_field_value(std::string_view value) {
  size_t i = 0;
  // Clean blocks are skipped in bulk (on x86-64); from the first block holding a tab or a bad byte,
  // and elsewhere, the rest is checked a byte at a time.
#if defined(__SSE2__)
  while (i + 16 <= value.size() && control_mask16(value.data() + i) == 0) i += 16;
#endif
  for (; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

void parse_header_block(upstream::RequestParser& parser, std::string_view block, boost::beast::error_code& ec,
                        bool no_controls) {
  if (block.size() < kSetAsideBlockBytes) {  // the common, small request
    parser.put(boost::asio::buffer(block.data(), block.size()), ec);
    return;
  }
  // More than eight such lines (no real client sends them): the whole block is left to Beast.
  std::array<SetAside, 8> aside;
  size_t count = 0;
  bool bad_value = false;  // reported after Beast's own errors, which come first in a parse
  std::string rest;
  size_t kept_from = 0;  // start of the block's bytes not yet copied to `rest`
  size_t line = block.find('\n') + 1;  // the request line always goes to Beast
  while (line < block.size()) {
    size_t lf = block.find('\n', line);
    if (lf == std::string_view::npos) break;
    std::string_view text = block.substr(line, lf - 1 - line);  // without CRLF (check_raw_header)
    bhttp::field f = set_aside_field(text);
    if (f != bhttp::field::unknown && count == aside.size()) {
      count = 0;  // too many to keep their order: all of the block goes to Beast
      break;
    }
    if (f != bhttp::field::unknown) {
      std::string_view value = trim_ows(text.substr(text.find(':') + 1));
      bad_value = bad_value || (!no_controls && !valid_field_value(value));
      aside[count++] = {f, value};
      if (rest.empty()) rest.reserve(block.size());
      rest.append(block.substr(kept_from, line - kept_from));
      kept_from = lf + 1;
    }
    line = lf + 1;
  }
  if (count == 0) {
    parser.put(boost::asio::buffer(block.data(), block.size()), ec);
    return;
  }
  rest.append(block.substr(kept_from));
  parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
  if (ec || !parser.is_header_done()) return;
  if (bad_value) {
    ec = bhttp::error::bad_value;
    return;
  }
  for (size_t i = 0; i < count; ++i) parser.get().insert(aside[i].name, aside[i].value);
}

}  // namespace vigie::http
