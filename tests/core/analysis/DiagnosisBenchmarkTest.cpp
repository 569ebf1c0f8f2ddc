// The fast subset of the diagnosis benchmark (issue 17; the whole set is tests/bench/diagnosis-bench.sh):
// each labelled folder must get its verdict, and the finding that names the file with its figure.

#include "core/analysis/Advisor.h"
#include "core/analysis/DeliveryChecks.h"
#include "core/analysis/ElementAnalysis.h"
#include "core/io/ClientFolder.h"
#include "core/render/RenderRefusal.h"
#include "support/LabelledFolders.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <iostream>

using namespace lathe;

namespace {

std::string baseName(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

class DiagnosisBenchmark : public testing::TestWithParam<test::LabelledCase> {};

TEST_P(DiagnosisBenchmark, VerdictFileAndFigure) {
    const test::LabelledCase& c = GetParam();
    test::TempDir dir;
    test::writeLabelledCase(dir.path(), c);
    const core::FolderScan scan = core::scanClientFolder(dir.path());
    const core::ValidationReport validation = core::validateFolder(scan);
    const core::ElementAnalysis elements =
        core::unusableFilesRefusal(scan) ? core::ElementAnalysis{} : core::analyzeFolderElements(scan);
    const core::Advice advice = core::advise(validation, elements);
    std::cout << "  " << c.name << ": " << core::recommendationName(advice.recommendation) << " (confidence "
              << advice.confidence << ")\n";
    for (const auto& f : advice.findings)
        std::cout << "    " << f.kind << " " << baseName(f.file) << " " << f.figure << " " << f.unit
                  << " conf " << f.confidence << ": " << f.text << "\n";

    EXPECT_EQ(core::recommendationName(advice.recommendation), c.verdict);
    EXPECT_GE(advice.confidence, 0.5);
    EXPECT_LE(advice.confidence, 1.0);
    if (!c.finding.empty()) {
        const core::Finding* named = nullptr;
        for (const auto& f : advice.findings)
            if (f.kind == c.finding && baseName(f.file) == c.file && !named) named = &f;
        ASSERT_NE(named, nullptr) << "no " << c.finding << " finding on '" << c.file << "'";
        if (!std::isnan(c.figure)) {
            EXPECT_NEAR(named->figure, c.figure, c.tolerance) << named->text;
        }
        if (!c.file.empty()) {
            EXPECT_NE(named->text.find(c.file), std::string::npos) << named->text;
        }
        EXPECT_FALSE(named->fix.empty());
        EXPECT_GE(named->confidence, 0.5);
    }
    for (const auto& kind : c.absent)
        for (const auto& f : advice.findings)
            EXPECT_NE(f.kind, kind) << f.text;
    // A verdict is only as good as its findings: every finding that calls for it is in the list, and no
    // finding calls for a verdict the advice ranks lower than its own.
    for (const auto& f : advice.findings)
        EXPECT_LE(core::recommendationPriority(f.calls), core::recommendationPriority(advice.recommendation));
}

std::vector<test::LabelledCase> fastCases() {
    std::vector<test::LabelledCase> out;
    for (const auto& c : test::labelledCases())
        if (c.fast) out.push_back(c);
    return out;
}

INSTANTIATE_TEST_SUITE_P(Fast, DiagnosisBenchmark, testing::ValuesIn(fastCases()),
                         [](const testing::TestParamInfo<test::LabelledCase>& info) {
                             std::string name = info.param.name;
                             for (char& ch : name)
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             return name;
                         });

TEST(DiagnosisBenchmark, HasAtLeastThirtyLabelledFoldersCoveringEveryVerdict) {
    const auto cases = test::labelledCases();
    EXPECT_GE(cases.size(), 30u);
    for (const char* v : {"stereo_mastering", "stem_mastering", "mix_revision", "fix_delivery"})
        EXPECT_TRUE(std::any_of(cases.begin(), cases.end(), [v](const auto& c) { return c.verdict == v; }))
            << v;
}

} // namespace
