// The curl implementation's stand-in when squall is built without libcurl: AsyncHTTPClient
// refuses HTTPClientImplementation::curl. Internal. Models the ImportError of
// tornado/curl_httpclient.py (4.0) without pycurl.
#include <stdexcept>

#include "httpclient_backend.h"

namespace squall::detail {

std::unique_ptr<HTTPClientBackend> make_curl_client(AsyncHTTPClientOptions, IOLoop&) {
    throw std::runtime_error("squall was built without libcurl: no curl HTTP client");
}

bool curl_built() noexcept { return false; }

}  // namespace squall::detail
