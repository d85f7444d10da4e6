// A small appender that writes compact JSON straight into a std::string, for the audit encoders
// (one record per line, tens of thousands a second: no DOM, no allocation beyond the output).
// Strings are escaped so any input yields one line of valid UTF-8 JSON. The caller owns the string;
// a writer lives for one encode call on one thread. Containers left open stay open: the encoders
// leave the root object unclosed for the chain to append its members.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/assert.h"

namespace vigie::audit {

// Appends s to out as the inside of a JSON string (no quotes). '"', '\' and control bytes are
// escaped (\n, \t... or \u00XX; DEL too), U+2028/U+2029 become \u2028/\u2029 (line breaks to
// some log readers), and each byte of an invalid UTF-8 sequence (stray continuation, truncated,
// overlong, surrogate, above U+10FFFF) becomes U+FFFD. Valid UTF-8 is copied as it is.
void append_json_escaped(std::string& out, std::string_view s);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void open_object() { open('{'); }
  void close_object() { close('}'); }
  void open_array() { open('['); }
  void close_array() { close(']'); }

  // Member name inside an object. Names are our own constants and are not escaped.
  void key(std::string_view k) {
    separator();
    out_ += '"';
    out_ += k;
    out_ += "\":";
    after_key_ = true;
  }

  void string(std::string_view v) {
    value_start();
    out_ += '"';
    append_json_escaped(out_, v);
    out_ += '"';
  }
  // The concatenation of a and b as one string value ("Patient/" + id) without a temporary.
  void string(std::string_view a, std::string_view b) {
    value_start();
    out_ += '"';
    append_json_escaped(out_, a);
    append_json_escaped(out_, b);
    out_ += '"';
  }
  void boolean(bool v) {
    value_start();
    out_ += v ? "true" : "false";
  }
  void number(int64_t v);
  void number(uint64_t v);
  // Milliseconds with three decimals ("12.345"); a non-finite or negative value writes 0.000 so
  // the line stays valid JSON.
  void fixed3(double v);
  // UTC ISO-8601 with milliseconds: "2026-12-04T16:00:00.123Z" (also a FHIR instant).
  void timestamp(std::chrono::system_clock::time_point t);

  void member(std::string_view k, std::string_view v) {
    key(k);
    string(v);
  }
  // The member only when v is not empty: absent rather than "".
  void member_if(std::string_view k, std::string_view v) {
    if (!v.empty()) member(k, v);
  }
  void object(std::string_view k) {
    key(k);
    open_object();
  }
  void array(std::string_view k) {
    key(k);
    open_array();
  }

 private:
  // A comma unless this is the first element of the current container.
  void separator() {
    const uint64_t bit = uint64_t{1} << depth_;
    if (first_ & bit)
      first_ &= ~bit;
    else
      out_ += ',';
  }
  // A value after a key takes no separator; a value in an array (or at the root) does.
  void value_start() {
    if (after_key_)
      after_key_ = false;
    else
      separator();
  }
  void open(char c) {
    value_start();
    out_ += c;
    ++depth_;
    VIGIE_ASSERT(depth_ < 64);
    first_ |= uint64_t{1} << depth_;
  }
  void close(char c) {
    VIGIE_ASSERT(depth_ > 0 && !after_key_);
    --depth_;
    out_ += c;
  }

  std::string& out_;
  uint64_t first_ = 1;  // bit d: the container at depth d has no element yet
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace vigie::audit
