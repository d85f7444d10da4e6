#include "audit/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigie::audit {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

TEST(JsonWriter, separators_follow_nesting_and_open_containers_stay_open) {
  std::string out;
  JsonWriter w(out);
  w.open_object();
  w.member("a", "x");
  w.array("b");
  w.number(int64_t{1});
  w.open_object();
  w.close_object();
  w.open_array();
  w.close_array();
  w.boolean(false);
  w.close_array();
  w.object("c");
  w.member_if("empty", "");
  w.member_if("d", "y");
  w.close_object();
  w.key("e");
  w.number(uint64_t{18446744073709551615ull});
  EXPECT_EQ(out, R"({"a":"x","b":[1,{},[],false],"c":{"d":"y"},"e":18446744073709551615)");
}

TEST(JsonWriter, two_part_string_is_one_value) {
  std::string out;
  JsonWriter w(out);
  w.open_array();
  w.string("Patient/", "a\"b");
  w.string("x");
  EXPECT_EQ(out, R"(["Patient/a\"b","x")");
}

struct EscapeCase {
  const char* name;
  std::string in;
  std::string out;
};

void PrintTo(const EscapeCase& c, std::ostream* os) {
  *os << c.name;
}

class JsonEscape : public testing::TestWithParam<EscapeCase> {};

TEST_P(JsonEscape, escapes_as_stated) {
  std::string out;
  append_json_escaped(out, GetParam().in);
  EXPECT_EQ(out, GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonEscape,
    testing::Values(EscapeCase{"printable_ascii_copied", "GET /a?b=c&d=~", "GET /a?b=c&d=~"},
                    EscapeCase{"quote_and_backslash_escaped", "a\"b\\c", "a\\\"b\\\\c"},
                    EscapeCase{"short_forms_for_common_controls", "\n\r\t\b\f", "\\n\\r\\t\\b\\f"},
                    EscapeCase{"other_controls_and_nul_as_u00xx", std::string("\x00\x01\x1f", 3),
                               "\\u0000\\u0001\\u001f"},
                    EscapeCase{"del_escaped", "\x7f", "\\u007f"},
                    EscapeCase{"valid_two_three_four_byte_utf8_kept", "é€𝄞", "é€𝄞"},
                    EscapeCase{"line_separators_escaped", "a\u2028b\u2029c", "a\\u2028b\\u2029c"},
                    EscapeCase{"stray_continuation_byte_replaced", "a\x80z", "a\uFFFDz"},
                    EscapeCase{"latin1_byte_replaced", "caf\xe9", "caf\uFFFD"},
                    EscapeCase{"truncated_sequence_replaced_byte_by_byte", "\xe2\x82", "\uFFFD\uFFFD"},
                    EscapeCase{"overlong_slash_replaced", "\xc0\xaf", "\uFFFD\uFFFD"},
                    EscapeCase{"overlong_three_byte_replaced", "\xe0\x80\xaf", "\uFFFD\uFFFD\uFFFD"},
                    EscapeCase{"surrogate_replaced", "\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"},
                    EscapeCase{"above_u10ffff_replaced", "\xf4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"},
                    EscapeCase{"ff_replaced", "\xff", "\uFFFD"}),
    [](const auto& p) { return std::string(p.param.name); });

struct TimeCase {
  const char* name;
  system_clock::time_point t;
  std::string out;
};

void PrintTo(const TimeCase& c, std::ostream* os) {
  *os << c.name;
}

class JsonTimestamp : public testing::TestWithParam<TimeCase> {};

TEST_P(JsonTimestamp, utc_with_milliseconds) {
  std::string out;
  JsonWriter w(out);
  w.timestamp(GetParam().t);
  EXPECT_EQ(out, "\"" + GetParam().out + "\"");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonTimestamp,
    testing::Values(TimeCase{"epoch", system_clock::time_point{}, "1970-01-01T00:00:00.000Z"},
                    TimeCase{"milliseconds_kept", system_clock::time_point(milliseconds(1796400000123)),
                             "2026-12-04T16:00:00.123Z"},
                    TimeCase{"microseconds_truncated_not_rounded",
                             system_clock::time_point(std::chrono::microseconds(1796400000999999)),
                             "2026-12-04T16:00:00.999Z"},
                    TimeCase{"leap_day", system_clock::time_point(milliseconds(1709251199000)),
                             "2024-02-29T23:59:59.000Z"}),
    [](const auto& p) { return std::string(p.param.name); });

struct FixedCase {
  const char* name;
  double in;
  std::string out;
};

void PrintTo(const FixedCase& c, std::ostream* os) {
  *os << c.name;
}

class JsonFixed3 : public testing::TestWithParam<FixedCase> {};

TEST_P(JsonFixed3, three_decimals_always_a_json_number) {
  std::string out;
  JsonWriter w(out);
  w.fixed3(GetParam().in);
  EXPECT_EQ(out, GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonFixed3,
    testing::Values(FixedCase{"zero", 0.0, "0.000"}, FixedCase{"rounded_to_microsecond", 1.23456, "1.235"},
                    FixedCase{"large", 123456.5, "123456.500"},
                    FixedCase{"nan_written_as_zero", std::nan(""), "0.000"},
                    FixedCase{"infinity_written_as_zero", std::numeric_limits<double>::infinity(), "0.000"},
                    FixedCase{"negative_written_as_zero", -5.0, "0.000"}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace vigie::audit
