#include "http/request_head.h"

#include <gtest/gtest.h>

#include "http/headers.h"

#include <map>
#include <random>
#include <string>
#include <vector>

namespace vigie::http {
namespace {

namespace bhttp = boost::beast::http;

// What a parse gave: the error, or the request line and every field's values by name, in order.
struct Outcome {
  bool failed = false;
  std::string line;
  std::map<std::string, std::vector<std::string>> fields;

  bool operator==(const Outcome&) const = default;
};

void PrintTo(const Outcome& o, std::ostream* os) {
  *os << (o.failed ? "failed" : o.line);
  for (const auto& [name, values] : o.fields) {
    for (const auto& v : values) *os << "\n  " << name << ": [" << v.substr(0, 40) << (v.size() > 40 ? "…" : "") << "] (" << v.size() << ")";
  }
}

Outcome outcome(upstream::RequestParser& p, const boost::beast::error_code& ec) {
  Outcome o;
  o.failed = ec || !p.is_header_done();
  if (o.failed) return o;
  const auto& req = p.get();
  o.line = std::string(req.method_string()) + " " + std::string(req.target()) + " " + std::to_string(req.version());
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    o.fields[name].emplace_back(f.value());
  }
  return o;
}

Outcome by_beast(std::string_view block) {
  upstream::RequestParser p;
  p.eager(false);
  boost::beast::error_code ec;
  p.put(boost::asio::buffer(block.data(), block.size()), ec);
  return outcome(p, ec);
}

Outcome by_vigie(std::string_view block, bool no_controls = false) {
  upstream::RequestParser p;
  p.eager(false);
  boost::beast::error_code ec;
  parse_header_block(p, block, ec, no_controls);
  return outcome(p, ec);
}

std::string block_with(const std::string& cookie_value, const std::string& auth_value) {
  return "GET /openmrs/ws/rest/v1/patient?q=x HTTP/1.1\r\nHost: clinic.example\r\nCookie:" + cookie_value +
         "\r\nUser-Agent: test\r\nauthorization: " + auth_value + "\r\nCookie: theme=dark\r\nAccept: */*\r\n\r\n";
}

TEST(RequestHead, long_cookie_and_authorization_lines_give_the_fields_beast_gives) {
  std::string cookie = " __Host-vigie=v1." + std::string(3000, 'A') + "; lang=fr\t ";
  std::string bearer = "Bearer eyJ" + std::string(900, 'b') + ".sig";
  std::string block = block_with(cookie, bearer);
  Outcome beast = by_beast(block);
  ASSERT_FALSE(beast.failed);
  EXPECT_EQ(by_vigie(block), beast);
  EXPECT_EQ(beast.fields["cookie"].size(), 2u);
  EXPECT_EQ(beast.fields["cookie"][0], "__Host-vigie=v1." + std::string(3000, 'A') + "; lang=fr");  // OWS trimmed
  EXPECT_EQ(beast.fields["authorization"][0], bearer);
}

TEST(RequestHead, short_blocks_and_other_long_lines_are_left_to_beast) {
  for (const std::string& block :
       {block_with("a=b", "Bearer x"), "GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + std::string(400, 'x') + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nCookie : " + std::string(400, 'x') + "\r\n\r\n"}) {
    EXPECT_EQ(by_vigie(block), by_beast(block)) << block.substr(0, 60);
  }
}

TEST(RequestHead, every_byte_in_a_long_value_is_judged_as_beast_judges_it) {
  for (int b = 0; b < 256; ++b) {
    if (b == '\r' || b == '\n') continue;  // line framing: check_raw_header's, before any parse
    for (size_t at : {0u, 5u, 7u, 8u, 299u}) {
      std::string value = "s=" + std::string(300, 'v');
      value[at + 2] = static_cast<char>(b);
      std::string block = block_with(value, "Bearer t");
      EXPECT_EQ(by_vigie(block), by_beast(block)) << "byte " << b << " at " << at;
    }
  }
}

TEST(RequestHead, agrees_with_beast_on_random_long_values) {
  std::mt19937 rng(20261205);
  const std::string alphabet = std::string("abcXYZ019=;,.-_ \t\x7f\x01\x1f\x80\xff", 22);
  for (int round = 0; round < 2000; ++round) {
    std::uniform_int_distribution<size_t> len(200, 700), pick(0, alphabet.size() - 1), rare(0, 40);
    std::string cookie, auth;
    for (size_t i = 0, n = len(rng); i < n; ++i) cookie += rare(rng) == 0 ? alphabet[pick(rng)] : 'c';
    for (size_t i = 0, n = len(rng); i < n; ++i) auth += rare(rng) == 0 ? alphabet[pick(rng)] : 'a';
    std::string block = block_with(cookie, auth);
    ASSERT_EQ(by_vigie(block), by_beast(block)) << "round " << round;
    // As the server calls it: the value check skipped when the raw scan saw no control byte.
    bool controls = true;
    ASSERT_FALSE(check_raw_header(block, 100, &controls));
    if (!controls) {
      ASSERT_EQ(by_vigie(block, true), by_beast(block)) << "round " << round;
    }
  }
}

TEST(RequestHead, more_than_eight_set_aside_lines_leave_the_block_to_beast_in_order) {
  std::string block = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 12; ++i) block += "Cookie: c" + std::to_string(i) + "=" + std::string(30, 'v') + "\r\n";
  block += "Authorization: Bearer x\r\n\r\n";
  Outcome beast = by_beast(block);
  ASSERT_EQ(beast.fields["cookie"].size(), 12u);
  EXPECT_EQ(by_vigie(block), beast);
  EXPECT_EQ(by_vigie(block, true), beast);
}

TEST(RequestHead, valid_field_value_follows_rfc_9110) {
  EXPECT_TRUE(valid_field_value(""));
  EXPECT_TRUE(valid_field_value("plain text, with \t tab and \x80\xff obs-text"));
  for (size_t at = 0; at < 24; ++at) {
    for (char bad : {'\0', '\x01', '\x1f', '\x7f'}) {
      std::string v(24, 'x');
      v[at] = bad;
      EXPECT_FALSE(valid_field_value(v)) << int(bad) << " at " << at;
    }
  }
}

}  // namespace
}  // namespace vigie::http
