// Everything of the web framework in one include: Application, RequestHandler, routing,
// errors, the stock handlers, static files and signed values. Public header. Models the
// tornado.web module as a whole.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <nlohmann/json.hpp>  // write(json) takes nlohmann::json, the JSON type C++ users have

#include "squall/application.h"
#include "squall/requesthandler.h"
#include "squall/routing.h"
#include "squall/signed_value.h"
#include "squall/staticfilehandler.h"
#include "squall/web_errors.h"
#include "squall/web_handlers.h"
