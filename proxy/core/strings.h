// Small ASCII string helpers shared by every module: case-insensitive compare, trimming,
// comma-separated token lists (HTTP list syntax). Pure functions, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::core {

[[nodiscard]] constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);
[[nodiscard]] std::string to_lower(std::string_view s);
[[nodiscard]] std::string_view trim(std::string_view s);
// Splits an HTTP list ("a, b,,c") into trimmed, non-empty tokens.
[[nodiscard]] std::vector<std::string_view> split_list(std::string_view s);
// True when the comma-separated list `list` contains `token` (case-insensitive).
[[nodiscard]] bool list_contains(std::string_view list, std::string_view token);
[[nodiscard]] bool starts_with_icase(std::string_view s, std::string_view prefix);
// "a, b, c" from {"a", "b", "c"} with sep ", ".
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Length of the valid UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0 when it is not one:
// overlong forms, surrogates and code points above U+10FFFF are invalid (RFC 3629).
[[nodiscard]] size_t utf8_length(std::string_view s, size_t i);

}  // namespace vigie::core
