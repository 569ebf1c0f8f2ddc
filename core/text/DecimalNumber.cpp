#include "core/text/DecimalNumber.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace lathe::core {

std::optional<double> parseDecimalNumber(std::string_view text) {
    // from_chars takes a '-' but not a '+'; it reads no hex without chars_format::hex, and reports a value
    // beyond a double's range as result_out_of_range rather than returning inf.
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
        if (!text.empty() && text.front() == '-') return std::nullopt; // "+-3"
    }
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

} // namespace lathe::core
