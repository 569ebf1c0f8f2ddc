#include "NumberOptions.h"

#include "core/Error.h"
#include "core/model/Session.h"
#include "core/model/SessionOverride.h"
#include "core/text/DecimalNumber.h"

#include <cmath>
#include <cstdio>
#include <optional>

namespace lathe::cli {
namespace {

std::string formatNumber(double v) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", v);
    return buffer;
}

std::string withUnit(const std::string& text, const std::string& unit) {
    return unit.empty() ? text : text + " " + unit;
}

// The text CLI11 converts after the check: round-trips the double exactly (17 significant digits), in the
// plain decimal CLI11's strtold reads the same way in every locale lathe-cli runs in (it never sets one).
std::string canonical(double v) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return buffer;
}

// The number in `text`, or the problem with it.
std::optional<double> readNumber(const std::string& text, std::string& problem) {
    const std::optional<double> value = core::parseDecimalNumber(text);
    if (!value) problem = "expected a finite decimal number, found \"" + text + "\"";
    return value;
}

std::optional<long long> readWholeNumber(const std::string& text, std::string& problem) {
    const std::optional<double> value = readNumber(text, problem);
    if (!value) return std::nullopt;
    // 2^53: every whole number below it is exact in a double; all the ranges here are far smaller.
    if (std::floor(*value) != *value || std::fabs(*value) > 9007199254740992.0) {
        problem = "expected a whole number, found \"" + text + "\"";
        return std::nullopt;
    }
    return static_cast<long long>(*value);
}

CLI::Validator numberValidator(double min, double max, bool minExclusive, const std::string& unit) {
    const std::string range =
        withUnit((minExclusive ? "(" : "[") + formatNumber(min) + ", " + formatNumber(max) + "]", unit);
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            std::string problem;
            const std::optional<double> value = readNumber(text, problem);
            if (!value) return problem;
            if (minExclusive ? !(*value > min && *value <= max) : !(*value >= min && *value <= max))
                return formatNumber(*value) + " is out of range; use " +
                       (minExclusive ? "more than " + formatNumber(min) + ", up to "
                                     : formatNumber(min) + " to ") +
                       withUnit(formatNumber(max), unit);
            text = canonical(*value);
            return {};
        },
        range);
}

} // namespace

CLI::Validator numberIn(double min, double max, const std::string& unit) {
    return numberValidator(min, max, false, unit);
}

CLI::Validator numberAbove(double min, double max, const std::string& unit) {
    return numberValidator(min, max, true, unit);
}

CLI::Validator wholeNumberIn(long long min, long long max, const std::string& unit) {
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            std::string problem;
            const std::optional<long long> value = readWholeNumber(text, problem);
            if (!value) return problem;
            if (*value < min || *value > max)
                return std::to_string(*value) + " is out of range; use " + std::to_string(min) + " to " +
                       withUnit(std::to_string(max), unit);
            text = std::to_string(*value);
            return {};
        },
        withUnit("[" + std::to_string(min) + ", " + std::to_string(max) + "]", unit));
}

CLI::Validator wholeNumberOneOf(const std::vector<long long>& allowed, const std::string& unit) {
    std::string list;
    for (const long long v : allowed)
        list += (list.empty() ? "" : ", ") + std::to_string(v);
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            std::string problem;
            const std::optional<long long> value = readWholeNumber(text, problem);
            if (!value) return problem;
            bool known = false;
            for (const long long v : allowed)
                known = known || v == *value;
            if (!known) return std::to_string(*value) + " is not one of " + withUnit(list, unit);
            text = std::to_string(*value);
            return {};
        },
        withUnit("{" + list + "}", unit));
}

CLI::Validator sessionAssignment() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            try {
                core::checkOverride(text);
            } catch (const core::Error& e) {
                return e.problem(); // CLI11 puts "--set: " before it, as applyOverride's errors read
            }
            return {};
        },
        "PATH=VALUE");
}

} // namespace lathe::cli
