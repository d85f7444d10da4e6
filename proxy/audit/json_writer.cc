#include "audit/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>

#include "core/strings.h"

namespace vigie::audit {
namespace {

// Bytes copied as they are: printable ASCII other than '"' and '\'.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7f; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();


void put_digits(char* p, unsigned v, int width) {
  for (int k = width - 1; k >= 0; --k) {
    p[k] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* p = s.data();
  size_t start = 0;  // first byte not yet copied
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (kPlain[c]) {
      ++i;
      continue;
    }
    size_t len = 0;
    if (c >= 0x80) {
      len = core::utf8_length(s, i);
      // U+2028/U+2029 (E2 80 A8/A9) are valid JSON, but some readers split lines on them.
      const bool line_separator = len == 3 && c == 0xe2 && static_cast<unsigned char>(p[i + 1]) == 0x80 &&
                                  (static_cast<unsigned char>(p[i + 2]) & 0xfe) == 0xa8;
      if (len != 0 && !line_separator) {
        i += len;
        continue;
      }
    }
    out.append(p + start, i - start);
    if (len == 3) {  // a line separator
      out += (static_cast<unsigned char>(p[i + 2]) == 0xa8) ? "\\u2028" : "\\u2029";
      i += 3;
    } else if (c >= 0x80) {
      // Client-supplied bytes (paths, user agents) may be anything; the trail must stay valid
      // UTF-8, so a byte that starts no valid sequence is replaced, one U+FFFD per byte.
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          // Other control bytes and DEL: escaped so a hostile value cannot break or forge lines.
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
      }
      ++i;
    }
    start = i;
  }
  out.append(p + start, s.size() - start);
}

void JsonWriter::number(int64_t v) {
  value_start();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
}

void JsonWriter::number(uint64_t v) {
  value_start();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
}

void JsonWriter::fixed3(double v) {
  value_start();
  // Beyond 1e15 ms (31,000 years) a duration is a bug; the cap keeps the buffer bounded.
  if (!std::isfinite(v) || v < 0) v = 0;
  if (v > 1e15) v = 1e15;
  char buf[40];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
  out_.append(buf, end);
}

void JsonWriter::timestamp(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  value_start();
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  int year = static_cast<int>(ymd.year());
  if (year < 0) year = 0;  // no sign in an ISO-8601 basic year; a clock that far off is a bug
  if (year > 9999) year = 9999;
  char buf[26] = "\"0000-00-00T00:00:00.000Z";
  put_digits(buf + 1, static_cast<unsigned>(year), 4);
  put_digits(buf + 6, static_cast<unsigned>(ymd.month()), 2);
  put_digits(buf + 9, static_cast<unsigned>(ymd.day()), 2);
  put_digits(buf + 12, static_cast<unsigned>(hms.hours().count()), 2);
  put_digits(buf + 15, static_cast<unsigned>(hms.minutes().count()), 2);
  put_digits(buf + 18, static_cast<unsigned>(hms.seconds().count()), 2);
  put_digits(buf + 21, static_cast<unsigned>(hms.subseconds().count()), 3);
  out_.append(buf, 25);
  out_ += '"';
}

}  // namespace vigie::audit
