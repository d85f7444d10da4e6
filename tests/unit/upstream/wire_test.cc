#include "upstream/wire.h"

#include <gtest/gtest.h>

namespace vigie::upstream {
namespace {
namespace http = boost::beast::http;

TEST(Wire, request_head_is_start_line_fields_and_blank_line) {
  http::request_header<> h;
  h.method(http::verb::post);
  h.target("/a?b=1");
  h.version(11);
  h.set(http::field::host, "app.test");
  h.set("X-Request-Id", "rid");
  std::string out;
  append_request_head(out, h);
  EXPECT_EQ(out, "POST /a?b=1 HTTP/1.1\r\nHost: app.test\r\nX-Request-Id: rid\r\n\r\n");
}

TEST(Wire, response_head_keeps_the_upstream_reason_or_uses_the_standard_one) {
  http::response_header<> h;
  h.result(http::status::not_found);
  std::string out;
  append_response_head(out, h);
  EXPECT_EQ(out, "HTTP/1.1 404 Not Found\r\n\r\n");
  h.reason("Nothing Here");
  h.set(http::field::content_length, "0");
  out.clear();
  append_response_head(out, h);
  EXPECT_EQ(out, "HTTP/1.1 404 Nothing Here\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace vigie::upstream
