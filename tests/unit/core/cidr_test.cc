#include "core/cidr.h"

#include <gtest/gtest.h>

namespace vigie::core {
namespace {

boost::asio::ip::address ip(const char* s) { return boost::asio::ip::make_address(s); }

TEST(Cidr, matches_by_prefix_in_both_families) {
  auto net = Cidr::parse("10.1.0.0/16");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(ip("10.1.255.7")));
  EXPECT_FALSE(net->contains(ip("10.2.0.1")));
  auto odd = Cidr::parse("192.168.1.128/25");
  EXPECT_TRUE(odd->contains(ip("192.168.1.200")));
  EXPECT_FALSE(odd->contains(ip("192.168.1.127")));
  auto v6 = Cidr::parse("fd00::/8");
  EXPECT_TRUE(v6->contains(ip("fd12::1")));
  EXPECT_FALSE(v6->contains(ip("fe80::1")));
  EXPECT_FALSE(v6->contains(ip("10.1.0.1")));
}

TEST(Cidr, single_address_and_v4_mapped_peers) {
  auto one = Cidr::parse("127.0.0.1");
  EXPECT_TRUE(one->contains(ip("127.0.0.1")));
  EXPECT_FALSE(one->contains(ip("127.0.0.2")));
  EXPECT_TRUE(one->contains(ip("::ffff:127.0.0.1")));
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(ip("8.8.8.8")));
}

TEST(Cidr, rejects_malformed_networks) {
  EXPECT_EQ(Cidr::parse("10.0.0.0/33").error(), CidrError::BadPrefix);
  EXPECT_EQ(Cidr::parse("10.0.0.0/").error(), CidrError::BadPrefix);
  EXPECT_EQ(Cidr::parse("10.0.0.0/8x").error(), CidrError::BadPrefix);
  EXPECT_EQ(Cidr::parse("::/129").error(), CidrError::BadPrefix);
  EXPECT_EQ(Cidr::parse("10.0.0/8").error(), CidrError::BadAddress);
  EXPECT_EQ(Cidr::parse("example.org").error(), CidrError::BadAddress);
}

TEST(CidrSet, empty_set_trusts_nobody) {
  CidrSet s;
  EXPECT_FALSE(s.contains(ip("127.0.0.1")));
  s.add(*Cidr::parse("127.0.0.0/8"));
  EXPECT_TRUE(s.contains(ip("127.9.9.9")));
}

}  // namespace
}  // namespace vigie::core
