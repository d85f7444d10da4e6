// TLS contexts. Server: TLS 1.2+ with AEAD ciphers only and ALPN http/1.1. Client (upstream):
// certificate verification against a CA file or the system store. Built at config load on the main
// thread (errors are exceptions there), then shared read-only by workers.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace vigie::net {

[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_server_context(const std::string& cert_file,
                                                                             const std::string& key_file);
[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_client_context(const std::string& ca_file);

}  // namespace vigie::net
