#include "core/analysis/DeliveryChecks.h"
#include "core/io/ClientFolder.h"
#include "support/DefectiveFolders.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

using namespace lathe;
using lathe::test::Defect;

namespace {

core::ValidationReport validate(Defect defect, test::TempDir& dir, test::DefectiveFolder* folder = nullptr) {
    const test::DefectiveFolder f = test::writeDefectiveFolder(dir.path(), defect);
    if (folder) *folder = f;
    const core::ValidationReport report = core::validateFolder(core::scanClientFolder(dir.path()));
    // The figures go to the log so a failing run shows what was measured.
    for (const auto& c : report.checks)
        std::cout << "  " << c.name << ": " << core::checkStatusName(c.status) << " (" << c.figure << ")\n";
    if (report.nullTest)
        std::cout << "  null residual " << report.nullTest->residualDb << " dB, cause "
                  << core::nullCauseName(report.nullTest->cause) << "\n";
    return report;
}

const core::ValidationCheck& check(const core::ValidationReport& r, const std::string& name) {
    const core::ValidationCheck* c = r.find(name);
    if (!c) throw std::runtime_error("no check named " + name);
    return *c;
}

bool names(const core::ValidationCheck& c, const std::string& path) {
    return std::find(c.files.begin(), c.files.end(), path) != c.files.end();
}

} // namespace

TEST(StemValidation, CleanFolderPassesEveryCheck) {
    test::TempDir dir;
    const auto r = validate(Defect::Clean, dir);
    for (const auto& c : r.checks)
        EXPECT_EQ(c.status, core::CheckStatus::Pass) << c.name << ": " << c.message;
    EXPECT_FALSE(r.failed());
    ASSERT_TRUE(r.nullTest);
    // The demo mix is the exact sum of 24-bit stems: nothing is left.
    EXPECT_LE(r.nullTest->residualDb, -120.0);
    EXPECT_EQ(r.nullTest->cause, core::NullCause::None);
    for (const auto& s : r.nullTest->stems) {
        EXPECT_EQ(s.lagSamples, 0) << s.path;
        EXPECT_FALSE(s.polarityInverted) << s.path;
    }
}

TEST(StemValidation, StemShiftedBy37SamplesIsFoundExactly) {
    test::TempDir dir;
    test::DefectiveFolder f;
    const auto r = validate(Defect::StemShifted37, dir, &f);
    const auto& c = check(r, "alignment");
    EXPECT_EQ(c.status, core::CheckStatus::Fail);
    ASSERT_TRUE(c.value);
    EXPECT_EQ(*c.value, 37.0);
    ASSERT_EQ(c.files.size(), 1u);
    EXPECT_EQ(c.files[0], f.affectedFile);
    EXPECT_NE(c.message.find("late"), std::string::npos);
    ASSERT_TRUE(r.nullTest);
    EXPECT_GT(r.nullTest->residualDb, core::kNullPassDb);
    EXPECT_EQ(r.nullTest->cause, core::NullCause::StemOffset);
    // Moving the stem back restores the null: the offset was the whole problem.
    EXPECT_LE(r.nullTest->correctedResidualDb, -100.0);
    EXPECT_TRUE(r.failed());
}

TEST(StemValidation, StemOneSecondShortIsFoundToTheFrame) {
    test::TempDir dir;
    test::DefectiveFolder f;
    const auto r = validate(Defect::StemOneSecondShort, dir, &f);
    const auto& c = check(r, "length");
    EXPECT_EQ(c.status, core::CheckStatus::Fail);
    ASSERT_TRUE(c.value);
    EXPECT_NEAR(*c.value, -1.0, 1e-9);
    EXPECT_EQ(c.figure, "1.000 s shorter");
    EXPECT_TRUE(names(c, f.affectedFile));
    ASSERT_TRUE(r.nullTest);
    EXPECT_EQ(r.nullTest->cause, core::NullCause::StemLength);
    for (const auto& s : r.nullTest->stems)
        EXPECT_EQ(s.lengthDifferenceFrames, s.path == f.affectedFile ? -test::kDefectSampleRate : 0)
            << s.path;
}

TEST(StemValidation, MixedSampleRatesAreNamed) {
    test::TempDir dir;
    test::DefectiveFolder f;
    const auto r = validate(Defect::MixedSampleRates, dir, &f);
    const auto& c = check(r, "sample_rate");
    EXPECT_EQ(c.status, core::CheckStatus::Fail);
    EXPECT_EQ(c.figure, "44100 vs 48000 Hz");
    ASSERT_EQ(c.files.size(), 1u);
    EXPECT_EQ(c.files[0], f.affectedFile);
    // No null test across rates: it would only measure the resampling.
    EXPECT_FALSE(r.nullTest);
}

TEST(StemValidation, LimiterPrintedOnTheMixIsBlamedOnMasterBusProcessing) {
    test::TempDir dir;
    const auto r = validate(Defect::LimitedMix, dir);
    const auto& c = check(r, "null");
    EXPECT_EQ(c.status, core::CheckStatus::Fail);
    ASSERT_TRUE(r.nullTest);
    EXPECT_GT(r.nullTest->residualDb, core::kNullWarnDb);
    EXPECT_EQ(r.nullTest->cause, core::NullCause::MasterBusProcessing);
    EXPECT_NE(c.message.find("master-bus processing"), std::string::npos);
    // Stems are untouched, so they still line up and none is flipped.
    EXPECT_EQ(check(r, "alignment").status, core::CheckStatus::Pass);
    EXPECT_EQ(check(r, "polarity").status, core::CheckStatus::Pass);
    EXPECT_LT(r.nullTest->mixCrestDb, r.nullTest->stemSumCrestDb - 1.0);
}

TEST(StemValidation, PolarityFlippedStemIsFoundAsPolarity) {
    test::TempDir dir;
    test::DefectiveFolder f;
    const auto r = validate(Defect::PolarityFlippedStem, dir, &f);
    const auto& c = check(r, "polarity");
    EXPECT_EQ(c.status, core::CheckStatus::Fail);
    ASSERT_EQ(c.files.size(), 1u);
    EXPECT_EQ(c.files[0], f.affectedFile);
    ASSERT_TRUE(r.nullTest);
    EXPECT_GT(r.nullTest->residualDb, core::kNullWarnDb);
    EXPECT_EQ(r.nullTest->cause, core::NullCause::PolarityFlip);
    EXPECT_LE(r.nullTest->correctedResidualDb, -100.0);
    EXPECT_EQ(check(r, "alignment").status, core::CheckStatus::Pass);
}

TEST(StemValidation, Mp3RoundTrippedStemShowsItsBandLimit) {
    test::TempDir dir;
    test::DefectiveFolder f;
    const auto r = validate(Defect::Mp3Stem, dir, &f);
    const auto& c = check(r, "lossy_source");
    EXPECT_EQ(c.status, core::CheckStatus::Fail);
    ASSERT_EQ(c.files.size(), 1u);
    EXPECT_EQ(c.files[0], f.affectedFile);
    ASSERT_TRUE(c.value);
    // LAME's low-pass at 128 kbps, 48 kHz sits near 17 kHz.
    EXPECT_GT(*c.value, 15500.0);
    EXPECT_LT(*c.value, 20500.0);
    // The null test on its own would blame a missing stem; the lossy stem is the cause.
    ASSERT_TRUE(r.nullTest);
    EXPECT_GT(r.nullTest->residualDb, core::kNullPassDb);
    EXPECT_EQ(r.nullTest->cause, core::NullCause::LossyStem);
    EXPECT_NE(r.nullTest->explanation.find("01_Drums.wav"), std::string::npos) << r.nullTest->explanation;
}

TEST(StemValidation, ClippedVocalIsFound) {
    test::TempDir dir;
    test::DefectiveFolder f;
    const auto r = validate(Defect::ClippedVocal, dir, &f);
    const auto& c = check(r, "clipping");
    EXPECT_EQ(c.status, core::CheckStatus::Fail);
    EXPECT_TRUE(names(c, f.affectedFile));
    // The mix was re-summed from the stems, so the delivery itself is consistent.
    EXPECT_EQ(check(r, "null").status, core::CheckStatus::Pass);
}

TEST(StemValidation, BandLimitDetectorFindsASteepCutOnlyWhereThereIsOne) {
    // White noise low-passed by zeroing an FFT-free brick wall is hard to make here; a sum of dense sines
    // up to 16 kHz, and the same up to 23 kHz, is enough: the first has a cliff, the second none.
    const double fs = 48000.0;
    std::vector<float> cut(96000), full(96000);
    uint32_t seed = 1;
    for (int k = 1; k < 460; ++k) {
        const double f = 50.0 * k;
        seed = seed * 1664525u + 1013904223u;
        const double phase = seed / 4294967296.0 * 6.283;
        for (std::size_t i = 0; i < cut.size(); ++i) {
            const float v = static_cast<float>(0.002 * std::sin(6.283185307 * f * i / fs + phase));
            if (f < 16000.0) cut[i] += v;
            full[i] += v;
        }
    }
    EXPECT_NEAR(core::detectBandLimitHz(cut, fs), 16000.0, 500.0);
    EXPECT_EQ(core::detectBandLimitHz(full, fs), 0.0);
}
