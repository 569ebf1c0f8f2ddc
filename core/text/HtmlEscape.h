#pragma once

#include <string>

namespace lathe::core {

// Text for an HTML page: < > & " replaced by their entities.
std::string htmlEscape(const std::string& text);

} // namespace lathe::core
