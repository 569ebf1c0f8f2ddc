#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace lathe::cli {

// Every number lathe-cli reads from its command line goes through one of these validators, added with
// Option::transform() so that CLI11 converts exactly the text that was checked (the validator rewrites it in
// plain decimal). A value must be a decimal number as --set reads them (core::parseDecimalNumber: "-0.5",
// "+3", "1e-1"), finite, and inside the option's documented range; anything else is a usage error (exit 2)
// naming the option, before any work. CLI11's own checks are not enough: Range lets NaN through (no
// comparison with NaN is true), its float conversion turns 1e400 and 0x1p2000 into inf, and its integer
// conversion reads "010" as octal 8 and "0x10" as hex 16.

// A number from min to max (inclusive).
CLI::Validator numberIn(double min, double max, const std::string& unit = {});
// A number above min (exclusive) up to max: a duration that must be positive.
CLI::Validator numberAbove(double min, double max, const std::string& unit = {});
// A whole number from min to max ("48000", "4.8e4" and "48000.0" alike; not "48000.5").
CLI::Validator wholeNumberIn(long long min, long long max, const std::string& unit = {});
// A whole number from a list (demo --rate).
CLI::Validator wholeNumberOneOf(const std::vector<long long>& allowed, const std::string& unit = {});

// A --set PATH=VALUE, checked against the session format before any session is opened
// (core::checkOverride): the key exists, the value has its type (a finite number for a number) and lies in
// its range. What only a session can tell (a stem id it lacks, an EQ band it lacks) is checked when the
// assignment is applied.
CLI::Validator sessionAssignment();

} // namespace lathe::cli
