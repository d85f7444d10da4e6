// Requests that are ambiguous or malformed are refused with the right status and never reach the
// upstream. Table-driven: each case is raw bytes on a fresh connection.
#include "integration/harness.h"

namespace vigie::testing {
namespace {

struct Case {
  const char* name;
  std::string bytes;
  int status;
};

class Malformed : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    upstream = new RecordingUpstream();
    ConfigOptions o;
    o.upstream_port = upstream->port();
    o.top_extra = "limits: {request_line_bytes: 1024, header_bytes: 4096, header_count: 20}\n";
    vigie = new VigieProcess(make_config(o));
  }
  static void TearDownTestSuite() {
    delete vigie;
    delete upstream;
  }
  static RecordingUpstream* upstream;
  static VigieProcess* vigie;
};
RecordingUpstream* Malformed::upstream = nullptr;
VigieProcess* Malformed::vigie = nullptr;

TEST_P(Malformed, refused_and_never_forwarded) {
  const Case& c = GetParam();
  size_t before = upstream->count();
  RawClient client(vigie->port());
  client.send(c.bytes);
  auto r = client.read_response();
  ASSERT_TRUE(r) << "no response";
  EXPECT_EQ(r->result_int(), c.status);
  EXPECT_EQ(std::string((*r)[boost::beast::http::field::content_type]), "application/json");
  EXPECT_EQ(upstream->count(), before);
  // A request that could not be framed leaves the connection unusable: Vigie closes it.
  if (c.status != 404 && c.status != 405 && c.status != 403) {
    EXPECT_TRUE(client.closed_by_peer());
  }
}

std::string header_block(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += "X-H" + std::to_string(i) + ": v\r\n";
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Malformed,
    ::testing::Values(
        Case{"cl_and_te", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             400},
        Case{"te_and_cl", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
        Case{"differing_content_lengths", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
             400},
        Case{"content_length_list_differs", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", 400},
        Case{"negative_content_length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        Case{"te_gzip_chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400},
        Case{"te_chunked_gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
        Case{"te_identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 400},
        Case{"te_twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
             400},
        Case{"te_on_http10", "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        Case{"obs_fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400},
        Case{"bare_lf", "GET / HTTP/1.1\nHost: a\n\n", 400},
        Case{"bare_cr", "GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", 400},
        Case{"space_in_header_name", "GET / HTTP/1.1\r\nHost: a\r\nBad Name: v\r\n\r\n", 400},
        Case{"space_before_colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
        Case{"control_byte_in_value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n"), 400},
        Case{"nul_in_value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0z\r\n\r\n", 35), 400},
        Case{"missing_host", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400},
        Case{"two_hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        Case{"bad_host", "GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n", 400},
        Case{"absolute_form", "GET http://other.test/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Case{"dotdot_above_root", "GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Case{"encoded_dotdot_above_root", "GET /a/%2e%2e/%2E%2E/x HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Case{"tomcat_path_parameter_dotdot", "GET /public/..;/admin HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Case{"encoded_nul", "GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Case{"bad_escape", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Case{"backslash", "GET /a\\..\\b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Case{"http2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
        Case{"trace_not_listed", "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", 405},
        Case{"bad_ipv6_host", "GET / HTTP/1.1\r\nHost: [not-an-address]\r\n\r\n", 400},
        Case{"connect_method", "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n", 405},
        Case{"unsupported_expect", "POST / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx", 417},
        Case{"request_line_too_long", "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
        Case{"headers_too_large", "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(5000, 'b') + "\r\n\r\n", 431},
        Case{"too_many_headers", "GET / HTTP/1.1\r\nHost: a\r\n" + header_block(30) + "\r\n", 431},
        Case{"body_over_limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n", 413},
        Case{"bad_chunk_size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
             400}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace vigie::testing
