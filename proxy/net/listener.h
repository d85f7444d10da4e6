// Opens a listening socket with SO_REUSEPORT so each worker owns its own acceptor on the same port
// and the kernel spreads connections across workers. Called on the main thread at start-up.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace vigie::net {

// Throws boost::system::system_error with the address in the message when binding fails.
[[nodiscard]] boost::asio::ip::tcp::acceptor open_listener(boost::asio::io_context& io, const std::string& address,
                                                           uint16_t port);

}  // namespace vigie::net
