#pragma once

#include <optional>
#include <string_view>

namespace lathe::core {

// Reads a number as a user writes one on the command line or in `--set`: decimal, with an optional sign
// ("-0.5", "+3", "1e-1"), the decimal point always '.' whatever the locale. Returns nullopt for anything else
// and for any value that is not a finite double: "nan", "inf", a hex float ("0x1p2000") and a number beyond
// a double's range ("1e400", which strtod would turn into inf). Every numeric option and every --set number
// goes through this one rule, so none of them can let a NaN or an infinity reach a range check (where NaN
// compares false with everything, and so passes).
std::optional<double> parseDecimalNumber(std::string_view text);

} // namespace lathe::core
