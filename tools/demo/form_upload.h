// The demo's browser upload: GET /form-upload is a page with a file form and a progress bar,
// POST /form-upload reads the multipart/form-data body as it streams in (MultipartParser) and
// answers with each part's size and SHA-256. Part of squall-demo.
#pragma once

#include <vector>

#include "squall/routing.h"

namespace squall::demo {

void add_form_upload_routes(std::vector<URLSpec>& routes);

}  // namespace squall::demo
