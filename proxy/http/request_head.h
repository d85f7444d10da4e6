// Parses a checked request header block (check_raw_header) into the request parser. Beast checks a
// field value one byte at a time (about 7 instructions a byte), and a signed-in caller's request is
// mostly one long Cookie or Authorization line: in a large block, the Cookie and Authorization
// lines are set aside, their values checked here with the same rule sixteen bytes at a time, and
// inserted into the message after Beast parsed the rest. Worker thread.
#pragma once

#include <boost/beast/core/error.hpp>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "upstream/forwarder.h"

namespace vigie::http {

// Blocks at least this long have their Cookie and Authorization lines set aside.
constexpr size_t kSetAsideBlockBytes = 256;

// As parser.put(block), with the same outcome: the same fields (Cookie and Authorization may come
// after the others, each in its own order), and bad_value for a value Beast would refuse.
// `no_controls`: check_raw_header found no control byte in the block, so the set-aside values are
// valid and need no look of their own.
void parse_header_block(upstream::RequestParser& parser, std::string_view block, boost::beast::error_code& ec,
                        bool no_controls = false);

#if defined(__SSE2__)
// Bit k set when p[k], of the sixteen bytes at p, is below 0x20 or DEL (max(b, 0x1f) == 0x1f marks
// the controls, unsigned). The one vector test behind check_raw_header and valid_field_value.
inline uint32_t control_mask16(const char* p) {
  const __m128i last_control = _mm_set1_epi8(0x1f);
  __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(b, last_control), last_control);
  return static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(control, _mm_cmpeq_epi8(b, _mm_set1_epi8(0x7f)))));
}
#endif

// RFC 9110 §5.5 as Beast applies it: no byte below 0x20 except HTAB, and no DEL.
[[nodiscard]] bool valid_field_value(std::string_view value);

}  // namespace vigie::http
