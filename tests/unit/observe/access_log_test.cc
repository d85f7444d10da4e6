#include "observe/access_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vigie::observe {
namespace {

TEST(AccessLog, entry_is_one_line_of_valid_json_even_with_hostile_bytes) {
  AccessEntry e;
  e.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
  e.request_id = "rid";
  e.client = "192.0.2.1";
  e.method = "GET";
  e.host = "app.test";
  e.path = "/a\"b\\c\n{\"forged\":1}\x01\xff";
  e.status = 200;
  e.bytes_in = 10;
  e.bytes_out = 20;
  e.duration_s = 0.0015;
  e.route = "r";
  std::string line = format_access_entry(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(j["path"], "/a\"b\\c\n{\"forged\":1}\x01\u00ff");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["duration_ms"], 1.5);
  EXPECT_FALSE(j.contains("query"));  // omitted unless the route allows it
  EXPECT_FALSE(j.contains("user"));   // anonymous
  e.user = "alice@x";
  e.auth = "session";
  auto with_user = nlohmann::json::parse(format_access_entry(e));
  EXPECT_EQ(with_user["user"], "alice@x");
  EXPECT_EQ(with_user["auth"], "session");
  EXPECT_FALSE(with_user.contains("decision"));  // a public route: no policy decided
  e.decision = "deny";
  e.rule = "no-delete";
  auto decided = nlohmann::json::parse(format_access_entry(e));
  EXPECT_EQ(decided["decision"], "deny");
  EXPECT_EQ(decided["rule"], "no-delete");
  e.user = {};
  e.query = "patient=1";
  EXPECT_EQ(nlohmann::json::parse(format_access_entry(e))["query"], "patient=1");
}

TEST(AccessLog, off_writes_nothing_and_does_not_crash) {
  AccessLog log("off");
  log.log(AccessEntry{});
  log.flush();
}

}  // namespace
}  // namespace vigie::observe

namespace vigie::observe {
namespace {

TEST(JsonEscape, valid_utf8_kept_stray_bytes_escaped) {
  struct Case {
    std::string in, out;
  };
  for (const auto& c : std::vector<Case>{{"accéder à", "accéder à"},
                                         {"\xe2\x82\xac", "\xe2\x82\xac"},                  // €
                                         {"\xf0\x9f\x91\x82", "\xf0\x9f\x91\x82"},          // 👂
                                         {"\xc3", "\\u00c3"},                               // truncated
                                         {"\xc0\xaf", "\\u00c0\\u00af"},                    // overlong '/'
                                         {"\xed\xa0\x80", "\\u00ed\\u00a0\\u0080"},         // surrogate
                                         {"\xe9t\xe9", "\\u00e9t\\u00e9"}}) {              // Latin-1, not UTF-8
    std::string out;
    json_escape(out, c.in);
    EXPECT_EQ(out, c.out) << c.in;
    EXPECT_TRUE(nlohmann::json::accept("\"" + out + "\""));
  }
}

}  // namespace
}  // namespace vigie::observe
