// Bodies stream through bounded buffers in both directions: 1 GiB each way with Vigie's peak RSS
// under 64 MiB, chunked framing both ways, Expect: 100-continue, close-delimited upstream bodies,
// HEAD, pipelining and keep-alive reuse.
#include <openssl/evp.h>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>

#include "integration/harness.h"

namespace vigie::testing {
namespace {

constexpr uint64_t kGiB = 1ull << 30;
constexpr size_t kMaxRssKiB = 64 * 1024;

std::string sha256_hex(EVP_MD_CTX* md) {
  unsigned char out[32];
  unsigned len = 0;
  EVP_DigestFinal_ex(md, out, &len);
  static constexpr char k[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += k[out[i] >> 4];
    s += k[out[i] & 0xf];
  }
  return s;
}

struct Digest {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  Digest() { EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr); }
  void update(const char* d, size_t n) { EVP_DigestUpdate(md.get(), d, n); }
  std::string hex() { return sha256_hex(md.get()); }
};

class Streaming : public ::testing::Test {
 protected:
  void SetUp() override {
    ConfigOptions o;
    o.upstream_port = upstream.port();
    o.top_extra = "limits: {max_body_bytes: 2147483648}\n";
    vigie = std::make_unique<VigieProcess>(make_config(o));
  }
  RecordingUpstream upstream;
  std::unique_ptr<VigieProcess> vigie;
};

// Sends `total` pattern bytes, chunked or with Content-Length, returning their digest.
std::string send_pattern(RawClient& c, uint64_t total, bool chunked) {
  Digest d;
  std::vector<char> buf(256 * 1024);
  for (uint64_t sent = 0; sent < total;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), total - sent));
    for (size_t i = 0; i < n; ++i) buf[i] = pattern_byte(sent + i);
    d.update(buf.data(), n);
    if (chunked) {
      char head[32];
      int h = std::snprintf(head, sizeof head, "%zx\r\n", n);
      c.send(std::string_view(head, static_cast<size_t>(h)));
    }
    c.send(std::string_view(buf.data(), n));
    if (chunked) c.send("\r\n");
    sent += n;
  }
  if (chunked) c.send("0\r\n\r\n");
  return d.hex();
}

TEST_F(Streaming, one_gib_upload_streams_with_bounded_memory) {
  RawClient c(vigie->port(), std::chrono::seconds(120));
  c.send("POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: " + std::to_string(kGiB) + "\r\n\r\n");
  std::string digest = send_pattern(c, kGiB, false);
  auto r = c.read_response();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->result_int(), 200);
  auto e = echo(*r);
  EXPECT_EQ(e["body_bytes"], kGiB);
  EXPECT_EQ(e["body_sha256"], digest);
  EXPECT_LT(vigie->peak_rss_kib(), kMaxRssKiB);
}

TEST_F(Streaming, one_gib_download_streams_with_bounded_memory) {
  RawClient c(vigie->port(), std::chrono::seconds(120));
  c.send("GET /bytes/" + std::to_string(kGiB) + " HTTP/1.1\r\nHost: app.test\r\n\r\n");
  // Read the header with Beast, then the body straight off the socket into a digest.
  boost::asio::streambuf sb;
  size_t header_end = boost::asio::read_until(c.socket(), sb, "\r\n\r\n");
  std::string all(boost::asio::buffers_begin(sb.data()), boost::asio::buffers_end(sb.data()));
  ASSERT_NE(all.find("HTTP/1.1 200"), std::string::npos);
  ASSERT_NE(all.find("Content-Length: " + std::to_string(kGiB)), std::string::npos);
  Digest got, want;
  uint64_t received = all.size() - header_end;
  got.update(all.data() + header_end, received);
  std::vector<char> buf(256 * 1024);
  while (received < kGiB) {
    size_t n = c.socket().read_some(boost::asio::buffer(buf.data(), std::min<uint64_t>(buf.size(), kGiB - received)));
    got.update(buf.data(), n);
    received += n;
  }
  for (uint64_t off = 0; off < kGiB; off += buf.size()) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), kGiB - off));
    for (size_t i = 0; i < n; ++i) buf[i] = pattern_byte(off + i);
    want.update(buf.data(), n);
  }
  EXPECT_EQ(got.hex(), want.hex());
  EXPECT_LT(vigie->peak_rss_kib(), kMaxRssKiB);
}

TEST_F(Streaming, chunked_request_reaches_upstream_chunked_and_intact) {
  RawClient c(vigie->port());
  c.send("POST /upload HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string digest = send_pattern(c, 3 * 1024 * 1024 + 17, true);
  auto r = c.read_response();
  ASSERT_TRUE(r);
  auto e = echo(*r);
  EXPECT_EQ(e["body_bytes"], 3 * 1024 * 1024 + 17);
  EXPECT_EQ(e["body_sha256"], digest);
  EXPECT_TRUE(upstream.requests().back().chunked);
}

TEST_F(Streaming, chunked_response_relayed_chunked) {
  RawClient c(vigie->port());
  c.send("GET /bytes/100000?chunked=1 HTTP/1.1\r\nHost: app.test\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(std::string((*r)[boost::beast::http::field::transfer_encoding]), "chunked");
  ASSERT_EQ(r->body().size(), 100000u);
  for (size_t i = 0; i < 100000; i += 997) EXPECT_EQ(r->body()[i], pattern_byte(i));
}

TEST_F(Streaming, close_delimited_upstream_body_becomes_chunked_for_http11_clients) {
  RawClient c(vigie->port());
  c.send("GET /close HTTP/1.1\r\nHost: app.test\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body(), "close-delimited-body");
  EXPECT_TRUE(r->chunked());
  c.send("GET /again HTTP/1.1\r\nHost: app.test\r\n\r\n");  // the client connection survives
  EXPECT_EQ(c.read_response()->result_int(), 200);
}

TEST_F(Streaming, expect_100_continue_answered_before_the_body_is_sent) {
  RawClient c(vigie->port());
  c.send("PUT /upload HTTP/1.1\r\nHost: app.test\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
  auto interim = c.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100);
  c.send("hello world");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(echo(*r)["body_bytes"], 11);
  EXPECT_FALSE(upstream.requests().back().header("Expect"));
}

TEST_F(Streaming, pipelined_requests_answered_in_order_on_one_connection) {
  RawClient c(vigie->port());
  c.send("GET /first HTTP/1.1\r\nHost: app.test\r\n\r\nGET /second HTTP/1.1\r\nHost: app.test\r\n\r\n"
         "HEAD /third HTTP/1.1\r\nHost: app.test\r\n\r\n");
  auto a = c.read_response();
  auto b = c.read_response();
  auto h = c.read_response(true);
  ASSERT_TRUE(a && b && h);
  EXPECT_EQ(echo(*a)["target"], "/first");
  EXPECT_EQ(echo(*b)["target"], "/second");
  EXPECT_EQ(h->result_int(), 200);
  EXPECT_TRUE(h->body().empty());
}

TEST_F(Streaming, upstream_connections_are_reused_across_requests) {
  RawClient c(vigie->port());
  for (int i = 0; i < 20; ++i) {
    c.send("GET /n HTTP/1.1\r\nHost: app.test\r\n\r\n");
    ASSERT_TRUE(c.read_response());
  }
  // One client connection lives on one worker, whose pooled upstream connection carries them all.
  auto reqs = upstream.requests();
  ASSERT_EQ(reqs.size(), 20u);
  for (const auto& r : reqs) EXPECT_EQ(r.connection, reqs.front().connection);
}

}  // namespace
}  // namespace vigie::testing
