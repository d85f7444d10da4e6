// Runs one coroutine to completion from a test: on a given io_context (stopping it rather than
// waiting for it to run out of work, since a Redis connection keeps a read pending while idle), or
// on a fresh one. Exceptions from the coroutine are rethrown in the test. Test thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>

namespace vigie::testing {

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> a) {
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) out = std::move(v);
    io.stop();
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

inline void run(boost::asio::io_context& io, boost::asio::awaitable<void> a) {
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(a), [&](std::exception_ptr e) {
    error = e;
    io.stop();
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
}

template <class T>
T run(boost::asio::awaitable<T> a) {
  boost::asio::io_context io;
  return run(io, std::move(a));
}

}  // namespace vigie::testing
