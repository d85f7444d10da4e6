// Writes HTTP/1.1 message heads as bytes: start line, fields, empty line. Used instead of Beast's
// serializer on the hot path, where the head and the first body bytes go out in one gather write
// (the serializer's buffer machinery cost about a quarter of the proxy's instructions per request).
// Pure functions; worker thread.
#pragma once

#include <boost/beast/http/message.hpp>
#include <string>
#include <string_view>

namespace vigie::upstream {

// `added`: whole field lines ("Name: value\r\n") written after h's fields (see append_field).
void append_request_head(std::string& out, const boost::beast::http::request_header<>& h,
                         std::string_view added = {});
void append_response_head(std::string& out, const boost::beast::http::response_header<>& h);

// Appends the line "name: value\r\n" (value: no control character): a field added without a node in
// Beast's field list, which costs an allocation, a tree insertion and a free per field.
void append_field(std::string& out, std::string_view name, std::string_view value);

}  // namespace vigie::upstream
