#include "audit/chain.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace vigie::audit {
namespace {

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";

std::string sealed(std::string body, ChainState& s, config::AuditFormat f = config::AuditFormat::Json) {
  seal(body, kKey, s, f);
  return body;
}

std::string_view without_newline(const std::string& line) { return std::string_view(line).substr(0, line.size() - 1); }

TEST(Chain, json_line_ends_with_seq_and_mac) {
  ChainState s;
  std::string line = sealed("{\"a\":1", s);
  EXPECT_TRUE(line.starts_with("{\"a\":1,\"seq\":1,\"mac\":\"")) << line;
  EXPECT_TRUE(line.ends_with("\"}\n"));
  EXPECT_EQ(s.seq, 1u);
  auto u = unseal(without_newline(line));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->body, "{\"a\":1");
  EXPECT_EQ(u->seq, 1u);
  EXPECT_EQ(u->mac, s.mac);
}

TEST(Chain, fhir_line_carries_the_chain_as_an_extension) {
  ChainState s;
  std::string line = sealed("{\"resourceType\":\"AuditEvent\"", s, config::AuditFormat::Fhir);
  EXPECT_NE(line.find("\"extension\":[{\"url\":\"" + std::string(kChainUrl) + "\",\"valueString\":\"1:"),
            std::string::npos);
  auto u = unseal(without_newline(line));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->body, "{\"resourceType\":\"AuditEvent\"");
  EXPECT_EQ(u->seq, 1u);
}

TEST(Chain, each_mac_covers_the_previous_one) {
  ChainState s;
  std::string first = sealed("{\"a\":1", s);
  std::string mac1 = s.mac;
  std::string second = sealed("{\"a\":2", s);
  auto u = unseal(without_newline(second));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->seq, 2u);
  EXPECT_EQ(u->mac, chain_mac(kKey, mac1, 2, "{\"a\":2"));
  EXPECT_NE(u->mac, chain_mac(kKey, std::string(32, '\0'), 2, "{\"a\":2"));
}

TEST(Chain, altered_body_or_other_key_gives_another_mac) {
  std::string zero(32, '\0');
  std::string mac = chain_mac(kKey, zero, 1, "{\"a\":1");
  EXPECT_NE(mac, chain_mac(kKey, zero, 1, "{\"a\":2"));
  EXPECT_NE(mac, chain_mac("another key, also 32 bytes long!", zero, 1, "{\"a\":1"));
  EXPECT_NE(mac, chain_mac(kKey, zero, 2, "{\"a\":1"));
}

TEST(Chain, lines_without_a_valid_chain_member_are_refused) {
  for (const std::string& line : std::vector<std::string>{"", "{}", "{\"a\":1,\"seq\":1}", "{\"a\":1,\"seq\":01,\"mac\":\"" + std::string(64, 'a') + "\"}",
                                "{\"a\":1,\"seq\":x,\"mac\":\"" + std::string(64, 'a') + "\"}",
                                "{\"a\":1,\"seq\":1,\"mac\":\"" + std::string(63, 'a') + "\"}",
                                "{\"a\":1,\"seq\":1,\"mac\":\"" + std::string(64, 'A') + "\"}"}) {
    EXPECT_FALSE(unseal(line)) << line;
  }
}

}  // namespace
}  // namespace vigie::audit
