// Writes HTTP/1.1 message heads as bytes: start line, fields, empty line. Used instead of Beast's
// serializer on the hot path, where the head and the first body bytes go out in one gather write
// (the serializer's buffer machinery cost about a quarter of the proxy's instructions per request).
// Pure functions; worker thread.
#pragma once

#include <boost/beast/http/message.hpp>
#include <string>

namespace vigie::upstream {

void append_request_head(std::string& out, const boost::beast::http::request_header<>& h);
void append_response_head(std::string& out, const boost::beast::http::response_header<>& h);

}  // namespace vigie::upstream
