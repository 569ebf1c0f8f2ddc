// The advisor writes fixes, not sentences (issue 16): one scenario per seed case, on a synthesized client
// folder with that one element fighting the rest. Each asserts the session change of the right kind, that
// setting it twice gives the same session, and the improvement measured on the stem master it makes
// (verifyFixes), with the figures in the messages.
#include "core/analysis/Advisor.h"
#include "core/analysis/DeliveryChecks.h"
#include "core/analysis/ElementAnalysis.h"
#include "core/io/ClientFolder.h"
#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"
#include "support/DefectiveFolders.h"
#include "support/LabelledFolders.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

using namespace lathe;
using lathe::test::Defect;

namespace {

struct Case {
    core::FolderScan scan;
    core::ElementAnalysis elements;
    core::Advice advice;
};

Case advise(const std::string& folder) {
    Case c;
    c.scan = core::scanClientFolder(folder);
    c.elements = core::analyzeFolderElements(c.scan);
    c.advice = core::advise(core::validateFolder(c.scan), c.elements);
    c.advice.verified = core::verifyFixes(c.scan, c.elements, c.advice.fixes);
    std::printf("[ verdict  ] %s\n", core::recommendationName(c.advice.recommendation));
    for (const auto& f : c.advice.findings)
        std::printf("[ finding  ] %s %s %.2f-%.2f s: %s\n", f.kind.c_str(), core::recommendationName(f.calls),
                    f.startSeconds, f.endSeconds, f.text.c_str());
    for (const auto& n : c.advice.nudges)
        std::printf("[ nudge    ] %s\n", n.text.c_str());
    for (const auto& f : c.advice.fixes)
        std::printf("[ fix      ] %s (%s)\n", f.text.c_str(), f.setAssignment.c_str());
    for (const auto& v : c.advice.verified)
        std::printf("[ verified ] %s%s\n", v.text.c_str(), v.improved ? "" : " (not improved)");
    return c;
}

const core::SessionFix* fixOf(const Case& c, const std::string& tool) {
    std::printf("[ verdict  ] %s\n", core::recommendationName(c.advice.recommendation));
    for (const auto& f : c.advice.findings)
        std::printf("[ finding  ] %s %s %.2f-%.2f s: %s\n", f.kind.c_str(), core::recommendationName(f.calls),
                    f.startSeconds, f.endSeconds, f.text.c_str());
    for (const auto& n : c.advice.nudges)
        std::printf("[ nudge    ] %s\n", n.text.c_str());
    for (const auto& f : c.advice.fixes)
        if (f.tool == tool) return &f;
    return nullptr;
}

const core::VerifiedFix* verifiedOf(const Case& c, const std::string& tool) {
    for (const auto& v : c.advice.verified)
        if (v.tool == tool) return &v;
    return nullptr;
}

const core::StemSettings& stem(const core::Session& s, const std::string& id) {
    for (const auto& st : s.stems)
        if (st.id == id) return st;
    throw std::runtime_error("no stem " + id);
}

// Sets the fixes in the folder's default session twice: the second application changes nothing, and the
// session's text is the same byte for byte.
core::Session appliedTwice(const Case& c) {
    core::Session once = core::makeDefaultSession(c.scan);
    EXPECT_TRUE(core::applyFixes(once, c.advice.fixes).empty());
    core::Session twice = once;
    core::applyFixes(twice, c.advice.fixes);
    EXPECT_EQ(once, twice);
    EXPECT_EQ(core::toJson(once).dump(2), core::toJson(twice).dump(2));
    return once;
}

} // namespace

// The lead vocal 3 dB down in the hook: a ride on lead_vocal over the hook only, the vocal's gain_db left
// alone, and the vocal brought forward against the band in the hook.
TEST(AdvisorFixes, VocalBuriedInTheHookGetsASectionRide) {
    test::TempDir dir;
    // 1 dB down on the demo's hook, which already sits about 1 dB under its reference: a 2 dB nudge (past
    // kMaxNudgeDb it would be a mix revision).
    const test::DefectiveFolder folder = test::writeDefectiveFolder(dir.path(), Defect::Clean);
    test::scaleSection(folder.files[3], folder.layout.verseEnd, folder.layout.hookEnd, -1.0);
    test::resumMix(folder.files);
    const Case c = advise(dir.path());
    const core::SessionFix* ride = fixOf(c, "section_ride");
    ASSERT_NE(ride, nullptr);
    EXPECT_EQ(ride->stemId, "lead_vocal");
    EXPECT_GT(ride->gainDb, 0.0);
    EXPECT_LE(ride->gainDb, core::kMaxNudgeDb);
    const core::Session s = appliedTwice(c);
    const core::StemSettings& vocal = stem(s, "lead_vocal");
    EXPECT_EQ(vocal.gain_db, 0.0) << "a ride, not a whole-song gain";
    ASSERT_EQ(vocal.automation.gain_db.size(), 4u);
    // Held at the ride's gain between the ramps, 0 dB outside: the hook, and only the hook.
    EXPECT_NEAR(vocal.automation.gain_db[1].time_s, ride->startSeconds + 0.5 * core::kRideRampSeconds, 1e-9);
    EXPECT_NEAR(vocal.automation.gain_db[1].value, ride->gainDb, 1e-9);
    EXPECT_NEAR(vocal.automation.gain_db[2].time_s, ride->endSeconds - 0.5 * core::kRideRampSeconds, 1e-9);
    EXPECT_EQ(vocal.automation.gain_db.front().value, 0.0);
    EXPECT_EQ(vocal.automation.gain_db.back().value, 0.0);
    EXPECT_NEAR(ride->startSeconds, folder.layout.verseEnd, 0.5);

    const core::VerifiedFix* v = verifiedOf(c, "section_ride");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->measure, "vocal_to_rest_db");
    EXPECT_TRUE(v->improved) << v->text;
    // The ride's gain lands on the vocal-to-rest figure within what the section edges blur.
    EXPECT_NEAR(v->after - v->before, ride->gainDb, 0.75) << v->text;
}

// One 808 note 6 dB over the line: a self-keyed dynamic EQ band on the bass that takes it back toward its
// neighbours (it was advice only before issue 16).
TEST(AdvisorFixes, A808NoteThatJumpsOutGetsADynamicEqBand) {
    test::TempDir dir;
    test::writeDefectiveFolder(dir.path(), Defect::BassNoteJump);
    const Case c = advise(dir.path());
    for (const auto& f : c.advice.findings)
        if (f.kind == "bass_note_jump") EXPECT_EQ(f.calls, core::Recommendation::StemMastering);
    const core::SessionFix* band = fixOf(c, "dynamic_eq");
    ASSERT_NE(band, nullptr);
    EXPECT_EQ(band->stemId, "bass");
    EXPECT_EQ(band->band.key, "self");
    EXPECT_TRUE(band->band.advisor);
    const core::Session s = appliedTwice(c);
    ASSERT_EQ(stem(s, "bass").dynamic_eq.size(), 1u);
    EXPECT_EQ(stem(s, "bass").dynamic_eq[0], band->band);
    EXPECT_EQ(stem(s, "bass").gain_db, 0.0);

    const core::VerifiedFix* v = verifiedOf(c, "dynamic_eq");
    ASSERT_NE(v, nullptr);
    EXPECT_NEAR(v->before, test::kBassJumpDb, 1.0) << v->text;
    EXPECT_TRUE(v->improved) << v->text;
    EXPECT_LT(v->after, 2.5) << "the note over its neighbours after the fix: " << v->text;
}

// Kick and 808 on the same notes: the bass's 40-120 Hz band ducked by the drums (a sidechain), not the
// whole bass turned down.
TEST(AdvisorFixes, KickAnd808MaskingGetsASidechainDuck) {
    test::TempDir dir;
    test::writeDefectiveFolder(dir.path(), Defect::Kick808SameNotes);
    const Case c = advise(dir.path());
    const core::SessionFix* duck = fixOf(c, "sidechain_duck");
    ASSERT_NE(duck, nullptr);
    EXPECT_EQ(duck->stemId, "bass");
    EXPECT_EQ(duck->band.key, "drums");
    EXPECT_GE(duck->band.frequency_hz, 40.0);
    EXPECT_LE(duck->band.frequency_hz, 120.0);
    const core::Session s = appliedTwice(c);
    ASSERT_EQ(stem(s, "bass").dynamic_eq.size(), 1u);
    EXPECT_EQ(stem(s, "bass").dynamic_eq[0].key, "drums");
    EXPECT_EQ(stem(s, "bass").gain_db, 0.0);

    const core::VerifiedFix* v = verifiedOf(c, "sidechain_duck");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->measure, "bass_over_kick_db");
    EXPECT_TRUE(v->improved) << v->text;
    // Past the masking line under the kick's hits.
    EXPECT_LT(v->after, -core::kKickMaskingDb) << v->text;
}

// One drum hit 15 dB up (a transient, 100 ms, on a beat of the hook): peak control on the drums stem, and the
// master limiter works less.
TEST(AdvisorFixes, ATransientDrivingTheLimiterGetsPeakControl) {
    test::TempDir dir;
    const test::DefectiveFolder folder = test::writeDefectiveFolder(dir.path(), Defect::Clean);
    // On a beat of the hook, where the kick sounds.
    const double beat = 60.0 / folder.layout.bpm;
    const double at = std::ceil((folder.layout.verseEnd + 1.0) / beat) * beat;
    test::scaleSection(folder.files[0], at - 0.005, at + 0.095, 15.0);
    test::resumMix(folder.files);
    const Case c = advise(dir.path());
    const core::SessionFix* peak = fixOf(c, "peak_control");
    ASSERT_NE(peak, nullptr);
    EXPECT_EQ(peak->stemId, "drums");
    EXPECT_TRUE(peak->peakControl.enabled);
    const core::Session s = appliedTwice(c);
    EXPECT_EQ(stem(s, "drums").peak_control, peak->peakControl);

    const core::VerifiedFix* v = verifiedOf(c, "peak_control");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->measure, "limiter_max_gain_reduction_db");
    EXPECT_TRUE(v->improved) << v->text;
    EXPECT_LT(v->after, v->before - 3.0) << "limiter max gain reduction: " << v->text;
}

// The synth bus too wide in the hook (the labelled benchmark's folder: the music stem's side 3 dB up there):
// a width ride on music over the hook only (automation.width, its static width left alone), set twice without
// stacking, and the stem's side over mid measured back under the too-wide line on the stems it masters.
TEST(AdvisorFixes, ASynthBusTooWideGetsAWidthRide) {
    test::TempDir dir;
    for (const auto& l : test::labelledCases())
        if (l.name == "synth_too_wide_hook") test::writeLabelledCase(dir.path(), l);
    const Case c = advise(dir.path());
    EXPECT_EQ(c.advice.recommendation, core::Recommendation::StemMastering);
    const core::SessionFix* ride = fixOf(c, "width_ride");
    ASSERT_NE(ride, nullptr);
    EXPECT_EQ(ride->stemId, "music");
    EXPECT_GE(ride->widthFactor, core::kMinStemWidthFactor);
    EXPECT_LT(ride->widthFactor, 1.0);
    const core::Session s = appliedTwice(c);
    const core::StemSettings& music = stem(s, "music");
    EXPECT_EQ(music.width, 1.0) << "a ride, not a whole-song width";
    EXPECT_TRUE(music.automation.gain_db.empty());
    ASSERT_EQ(music.automation.width.size(), 4u);
    EXPECT_EQ(music.automation.width.front().value, 1.0);
    EXPECT_NEAR(music.automation.width[1].value, ride->widthFactor, 1e-12);
    EXPECT_NEAR(music.automation.width[2].value, ride->widthFactor, 1e-12);
    EXPECT_EQ(music.automation.width.back().value, 1.0);
    EXPECT_EQ(ride->setAssignment.rfind("stems.music.automation.width=", 0), 0u) << ride->setAssignment;
    // Only the music stem was widened: no other stem gets a width ride.
    for (const auto& f : c.advice.fixes)
        if (f.tool == "width_ride") EXPECT_EQ(f.stemId, "music");

    const core::VerifiedFix* v = verifiedOf(c, "width_ride");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->measure, "side_over_mid_db");
    EXPECT_TRUE(v->improved) << v->text;
    EXPECT_GT(v->before, core::kStemTooWideDb) << v->text;
    EXPECT_LT(v->after, core::kStemTooWideDb - 1.0) << "music side over mid in the hook: " << v->text;
    // The ride's width lands on the figure: side scaled by the factor, in dB.
    EXPECT_NEAR(v->after - v->before, 20.0 * std::log10(ride->widthFactor), 0.75) << v->text;
}

// The clean demo's stems (a pad of decorrelated voices about as wide as it is centred, reverb returns) are
// not too wide.
TEST(AdvisorFixes, TheCleanDemoGetsNoWidthRide) {
    test::TempDir dir;
    test::writeDefectiveFolder(dir.path(), Defect::Clean);
    const Case c = advise(dir.path());
    EXPECT_EQ(fixOf(c, "width_ride"), nullptr);
    for (const auto& f : c.advice.findings)
        EXPECT_NE(f.kind, "stem_too_wide") << f.text;
}

// What the user set by hand stays: their own band, their gain, their ride points outside the advisor's
// window; the advisor's earlier band is replaced, not added to.
TEST(AdvisorFixes, ApplyingReplacesOnlyTheAdvisorsOwnSettings) {
    test::TempDir dir;
    test::writeDefectiveFolder(dir.path(), Defect::Kick808SameNotes);
    const Case c = advise(dir.path());
    ASSERT_FALSE(c.advice.fixes.empty());
    core::Session s = core::makeDefaultSession(c.scan);
    core::StemSettings* bass = nullptr;
    for (auto& st : s.stems)
        if (st.id == "bass") bass = &st;
    ASSERT_NE(bass, nullptr);
    bass->gain_db = 1.5;
    core::DynamicEqBandSettings mine;
    mine.frequency_hz = 3000;
    bass->dynamic_eq.push_back(mine);
    bass->automation.gain_db = {{0.5, -1.0}, {1.0, 0.0}};
    core::DynamicEqBandSettings stale;
    stale.advisor = true;
    stale.frequency_hz = 500;
    bass->dynamic_eq.push_back(stale);
    for (int k = 0; k < 3; ++k)
        core::applyFixes(s, c.advice.fixes);
    for (auto& st : s.stems)
        if (st.id == "bass") bass = &st;
    EXPECT_EQ(bass->gain_db, 1.5);
    ASSERT_EQ(bass->dynamic_eq.size(), 2u);
    EXPECT_EQ(bass->dynamic_eq[0], mine);
    EXPECT_TRUE(bass->dynamic_eq[1].advisor);
    EXPECT_EQ(bass->dynamic_eq[1].key, "drums");
    EXPECT_EQ(bass->automation.gain_db, (core::AutomationLane{{0.5, -1.0}, {1.0, 0.0}}));
}

// A ride drawn over a lane the user already has keeps their points outside its window and rides on top of
// what their lane does at its edges.
TEST(AdvisorFixes, ARideSitsOnTopOfTheUsersLane) {
    core::SessionFix ride;
    ride.tool = "section_ride";
    ride.stemId = "lead_vocal";
    ride.gainDb = 1.5;
    ride.rideFromSeconds = 4.9;
    ride.rideToSeconds = 8.1;
    core::Session s;
    s.stems.push_back({});
    s.stems[0].id = "lead_vocal";
    s.stems[0].automation.gain_db = {{1.0, 0.0}, {2.0, -2.0}, {6.0, 5.0}, {9.0, -2.0}};
    core::applyFixes(s, {ride});
    const core::AutomationLane expected = {{1.0, 0.0},  {2.0, -2.0}, {4.9, -2.0}, {5.1, -0.5},
                                           {7.9, -0.5}, {8.1, -2.0}, {9.0, -2.0}};
    ASSERT_EQ(s.stems[0].automation.gain_db.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_NEAR(s.stems[0].automation.gain_db[i].time_s, expected[i].time_s, 1e-9) << i;
        EXPECT_NEAR(s.stems[0].automation.gain_db[i].value, expected[i].value, 1e-9) << i;
    }
    const core::Session again = [&] {
        core::Session t = s;
        core::applyFixes(t, {ride});
        return t;
    }();
    EXPECT_EQ(again, s);
}
