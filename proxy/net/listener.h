// Opens a listening socket with SO_REUSEPORT so each worker owns its own acceptor on the same port
// and the kernel spreads connections across workers. Called on the main thread at start-up.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

namespace vigie::net {

// Throws boost::system::system_error with the address in the message when binding fails.
[[nodiscard]] boost::asio::ip::tcp::acceptor open_listener(boost::asio::io_context& io, const std::string& address,
                                                           uint16_t port);

// The next accepted connection, or nullopt once the acceptor is closed. Transient failures (out of
// file descriptors) wait 50 ms and try again instead of spinning on the same error.
[[nodiscard]] boost::asio::awaitable<std::optional<boost::asio::ip::tcp::socket>> accept_next(
    boost::asio::ip::tcp::acceptor& acc);

}  // namespace vigie::net
