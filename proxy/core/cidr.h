// An IPv4 or IPv6 network (address/prefix) and a set of them, used for trusted-proxy checks.
// Parsed at config load; matched per request without allocation. Immutable, any thread.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigie::core {

enum class CidrError {
  BadAddress,  // the address part is not an IPv4 or IPv6 literal
  BadPrefix,   // the prefix length is missing digits or too long for the family
};

class Cidr {
 public:
  [[nodiscard]] static Result<Cidr, CidrError> parse(std::string_view text);
  [[nodiscard]] bool contains(const boost::asio::ip::address& addr) const;

 private:
  boost::asio::ip::address network_;
  unsigned prefix_ = 0;
};

class CidrSet {
 public:
  void add(Cidr c) { nets_.push_back(c); }
  [[nodiscard]] bool contains(const boost::asio::ip::address& addr) const;
  [[nodiscard]] bool empty() const { return nets_.empty(); }

 private:
  std::vector<Cidr> nets_;
};

}  // namespace vigie::core
