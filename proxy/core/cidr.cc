#include "core/cidr.h"

#include <charconv>
#include <string>

namespace vigie::core {
namespace {

template <size_t N>
bool prefix_equal(const std::array<unsigned char, N>& a, const std::array<unsigned char, N>& b, unsigned bits) {
  size_t full = bits / 8;
  for (size_t i = 0; i < full; ++i) {
    if (a[i] != b[i]) return false;
  }
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

// An IPv4-mapped IPv6 peer (::ffff:a.b.c.d, seen on dual-stack sockets) is compared as IPv4.
boost::asio::ip::address unmap(const boost::asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

}  // namespace

Result<Cidr, CidrError> Cidr::parse(std::string_view text) {
  size_t slash = text.find('/');
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return fail(CidrError::BadAddress);
  unsigned max = addr.is_v4() ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, err] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (err != std::errc{} || end != p.data() + p.size() || p.empty() || prefix > max) {
      return fail(CidrError::BadPrefix);
    }
  }
  Cidr c;
  c.network_ = addr;
  c.prefix_ = prefix;
  return c;
}

bool Cidr::contains(const boost::asio::ip::address& raw) const {
  auto addr = unmap(raw);
  if (addr.is_v4() != network_.is_v4()) return false;
  if (addr.is_v4()) return prefix_equal(addr.to_v4().to_bytes(), network_.to_v4().to_bytes(), prefix_);
  return prefix_equal(addr.to_v6().to_bytes(), network_.to_v6().to_bytes(), prefix_);
}

bool CidrSet::contains(const boost::asio::ip::address& addr) const {
  for (const Cidr& c : nets_) {
    if (c.contains(addr)) return true;
  }
  return false;
}

}  // namespace vigie::core
