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

TEST(Wire, added_field_lines_come_after_the_fields) {
  http::request_header<> h;
  h.method(http::verb::get);
  h.target("/");
  h.set(http::field::host, "app.test");
  std::string added;
  append_field(added, "X-Forwarded-User", "alice");
  append_field(added, "X-Request-Id", "rid");
  EXPECT_EQ(added, "X-Forwarded-User: alice\r\nX-Request-Id: rid\r\n");
  std::string out;
  append_request_head(out, h, added);
  EXPECT_EQ(out, "GET / HTTP/1.1\r\nHost: app.test\r\nX-Forwarded-User: alice\r\nX-Request-Id: rid\r\n\r\n");
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
