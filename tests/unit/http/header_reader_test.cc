#include "http/header_reader.h"

#include <gtest/gtest.h>

namespace vigie::http {
namespace {

config::Limits limits() {
  config::Limits l;
  l.request_line_bytes = 64;
  l.header_bytes = 128;
  return l;
}

TEST(ScanHeaderBlock, finds_the_end_of_a_complete_block) {
  std::string req = "GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY";
  EXPECT_EQ(scan_header_block(req, limits()).value(), req.size() - 4);
}

TEST(ScanHeaderBlock, asks_for_more_while_under_the_limits) {
  EXPECT_EQ(scan_header_block("GET / HTTP/1.1\r\nHost: a\r\n", limits()).value(), 0u);
  EXPECT_EQ(scan_header_block("GET /aaaa", limits()).value(), 0u);
}

TEST(ScanHeaderBlock, long_request_line_is_414_even_before_it_ends) {
  EXPECT_EQ(scan_header_block("GET /" + std::string(100, 'a'), limits()).error(), Reason::UriTooLong);
  EXPECT_EQ(scan_header_block("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", limits()).error(),
            Reason::UriTooLong);
}

TEST(ScanHeaderBlock, large_headers_are_431_complete_or_not) {
  std::string big = "GET / HTTP/1.1\r\nX: " + std::string(200, 'b');
  EXPECT_EQ(scan_header_block(big, limits()).error(), Reason::HeadersTooLarge);
  EXPECT_EQ(scan_header_block(big + "\r\n\r\n", limits()).error(), Reason::HeadersTooLarge);
}

TEST(ScanHeaderBlock, bare_lf_is_refused_instead_of_waiting) {
  EXPECT_EQ(scan_header_block("GET / HTTP/1.1\nHost: a\n\n", limits()).error(), Reason::BadFraming);
}

TEST(IdleReadBytes, small_headers_keep_2_kb_big_ones_fit_in_one_read) {
  EXPECT_EQ(idle_read_bytes(0), 2048u);
  EXPECT_EQ(idle_read_bytes(300), 2048u);
  // A signed-in browser: 4.3 KB of cookie, room to spare for a re-issued one.
  EXPECT_EQ(idle_read_bytes(4300), 6144u);
  EXPECT_GE(idle_read_bytes(4300), 4300u + 1024u);
  EXPECT_EQ(idle_read_bytes(100000), 16384u);
}

}  // namespace
}  // namespace vigie::http
