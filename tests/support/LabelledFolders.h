#pragma once

// The labelled benchmark of the diagnosis (issue 17): synthesized client folders with one known defect each
// (or none), each with the verdict `lathe-cli advise` must give, the file it must name and the finding it
// must make. core_DiagnosisBenchmarkTest runs them all and prints the confusion table;
// tests/bench/lathe-bench-folders writes them with a labels file for tests/bench/diagnosis-table.py, which
// prints the same table for `lathe-cli advise` (and for any folder labelled by hand).

#include <cmath>
#include <ostream>
#include <string>
#include <vector>

namespace lathe::test {

struct LabelledCase {
    std::string name;     // the folder's name: "vocal_buried_6db"
    std::string defect;   // what was done, in words
    std::string verdict;  // the expected recommendation: "stereo_mastering", ..., "fix_delivery"
    std::string file;     // the file a finding must name (its name, not its path); "" for none
    std::string finding;  // the finding kind expected on that file ("missing_stem" has no file); "" for none
    double figure = NAN;  // the finding's expected figure, when there is one to check...
    double tolerance = 0; // ...within this
    std::vector<std::string> absent; // finding kinds that must not appear (no leak onto untouched stems)
    // The case changes no stem but `file` (none when `file` is the mix or empty; the mix may be re-summed):
    // no finding may name another stem beyond what the clean folder's diagnosis names (issue 17: no vocal
    // nudge when only the 808 moved). False where the defect rewrites several stems.
    bool otherStemsUntouched = true;
};

std::vector<LabelledCase> labelledCases();

// gtest prints a case by its name.
inline void PrintTo(const LabelledCase& c, std::ostream* os) {
    *os << c.name;
}

// Writes the case's folder into dir (created). Throws std::runtime_error or core::Error.
void writeLabelledCase(const std::string& dir, const LabelledCase& c);

} // namespace lathe::test
