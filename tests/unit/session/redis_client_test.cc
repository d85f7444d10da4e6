// The RESP side of the Redis client: command encoding and the bounded reply parser. The client's
// network behaviour (timeouts, reconnects, pipelining) is exercised through the store in
// redis_store_test.cc, against a real redis-server.
#include "session/redis_client.h"

#include <gtest/gtest.h>

#include <array>

namespace vigie::session {
namespace {

using Kind = RedisReply::Kind;

// All replies in `bytes`, or nullopt on a protocol error.
std::optional<std::vector<RedisReply>> parse(std::string_view bytes) {
  RespParser p;
  if (!p.feed(bytes)) return std::nullopt;
  std::vector<RedisReply> out;
  for (;;) {
    auto r = p.next();
    if (!r) return std::nullopt;
    if (!*r) return out;
    out.push_back(std::move(**r));
  }
}

TEST(FormatCommand, bulk_strings_are_binary_safe) {
  std::array<std::string_view, 3> args{"SET", "k", std::string_view("a\r\n\0b", 5)};
  EXPECT_EQ(format_command(args), std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\n\0b\r\n", 31));
}

TEST(RespParser, reply_kinds) {
  auto r = parse("+OK\r\n-ERR no\r\n:42\r\n$-1\r\n$3\r\nfoo\r\n*-1\r\n*2\r\n$1\r\na\r\n*1\r\n:7\r\n$0\r\n\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 8u);
  EXPECT_EQ((*r)[0].kind, Kind::Status);
  EXPECT_EQ((*r)[0].str, "OK");
  EXPECT_EQ((*r)[1].kind, Kind::Error);
  EXPECT_EQ((*r)[1].str, "ERR no");
  EXPECT_EQ((*r)[2].kind, Kind::Integer);
  EXPECT_EQ((*r)[2].integer, 42);
  EXPECT_EQ((*r)[3].kind, Kind::Nil);
  EXPECT_EQ((*r)[4].str, "foo");
  EXPECT_EQ((*r)[5].kind, Kind::Nil);
  ASSERT_EQ((*r)[6].kind, Kind::Array);
  ASSERT_EQ((*r)[6].elements.size(), 2u);
  EXPECT_EQ((*r)[6].elements[0].str, "a");
  EXPECT_EQ((*r)[6].elements[1].elements.at(0).integer, 7);
  EXPECT_EQ((*r)[7].kind, Kind::String);
  EXPECT_EQ((*r)[7].str, "");
}

TEST(RespParser, reply_split_across_reads) {
  RespParser p;
  std::string_view whole = "$11\r\nhello world\r\n";
  for (size_t i = 0; i + 1 < whole.size(); ++i) {
    ASSERT_TRUE(p.feed(whole.substr(i, 1)));
    auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r) << i;
  }
  ASSERT_TRUE(p.feed(whole.substr(whole.size() - 1)));
  auto r = p.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->str, "hello world");
}

TEST(RespParser, protocol_errors) {
  const char* cases[] = {
      "?\r\n",             // unknown type byte
      ":12x\r\n",          // bad integer
      "$abc\r\n",          // bad length
      "*-2\r\n",           // negative count
      "*1025\r\n",         // more elements than any command here gets
      "*99999999999\r\n",  // a count hiredis 0.14 would try to calloc
      "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",  // nested too deep
  };
  for (const char* c : cases) EXPECT_FALSE(parse(c)) << c;
}

TEST(RespParser, buffered_bytes_are_bounded) {
  RespParser p;
  std::string big(RespParser::kMaxBuffered / 2, 'x');
  ASSERT_TRUE(p.feed("$2000000\r\n"));
  EXPECT_TRUE(p.feed(big));
  EXPECT_FALSE(p.feed(big));  // a bulk string larger than any session record
}

}  // namespace
}  // namespace vigie::session
