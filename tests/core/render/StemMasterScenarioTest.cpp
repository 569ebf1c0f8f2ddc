// The seed cases of stem mastering (issue 16), each a synthesized client folder whose mix has one element
// fighting the rest, with the fix set by hand on the stem that carries it. The stem master (stems -> chains
// -> master) and the stereo master (the mix -> the same master) are rendered from the same session and the
// element is measured in both, against the mix: the stem master fixes it, the stereo master cannot. Each
// figure is in the failure message.
#include "core/analysis/Advisor.h"
#include "core/analysis/DeliveryChecks.h"
#include "core/analysis/ElementAnalysis.h"
#include "core/io/ClientFolder.h"
#include "core/model/SessionDefaults.h"
#include "core/render/Renderer.h"
#include "support/DefectiveFolders.h"
#include "support/LabelledFolders.h"
#include "support/StemSignals.h"
#include "support/TestAudio.h"
#include "support/TestSignals.h"

#include "dsp/Decibels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace lathe::core {
namespace {

constexpr int kRate = 48000;

struct Masters {
    test::PlanarAudio mix, stereo, stem;
    double stereoLimiterMaxGrDb = 0, stemLimiterMaxGrDb = 0;
};

Masters render(const Session& s, const std::string& out) {
    const RenderReport report = renderSession(s, out);
    Masters m;
    m.mix = test::readTestAudio(s.mix);
    m.stereo = test::readTestAudio(out + "/" + s.song + "_stereo_master.wav");
    m.stem = test::readTestAudio(out + "/" + s.song + "_stem_master.wav");
    for (const auto& d : report.deliverables)
        (d.kind == "stem_master" ? m.stemLimiterMaxGrDb : m.stereoLimiterMaxGrDb) = d.maxGainReductionDb;
    return m;
}

// Level (dB) of the frequencyHz component of the left channel over [fromSeconds, fromSeconds + seconds).
double toneDb(const test::PlanarAudio& a, double frequencyHz, double fromSeconds, double seconds) {
    return dsp::gainToDb(test::amplitudeAt(a[0], frequencyHz, kRate, static_cast<int>(fromSeconds * kRate),
                                           static_cast<int>(seconds * kRate)));
}

// Side over mid (dB) of a stereo file over [fromSeconds, toSeconds).
double sideOverMidDb(const test::PlanarAudio& a, int rate, double fromSeconds, double toSeconds) {
    double mid = 0, side = 0;
    for (auto i = static_cast<size_t>(fromSeconds * rate); i < static_cast<size_t>(toSeconds * rate); ++i) {
        const double mm = 0.5 * (a[0][i] + a[1][i]), ss = 0.5 * (a[0][i] - a[1][i]);
        mid += mm * mm;
        side += ss * ss;
    }
    return 10.0 * std::log10(side / mid);
}

// The figures of a case, printed whether it passes or fails (and kept in the XML report).
void figures(const char* what, double mix, double stereo, double stem) {
    std::printf("[ figures  ] %s: mix %.2f dB, stereo master %.2f dB, stem master %.2f dB\n", what, mix,
                stereo, stem);
    ::testing::Test::RecordProperty(what, std::to_string(stem));
}

} // namespace

// The vocal buried in the hook: the music (a pad chord on C) doubles in the hook (2-4 s) while the voice (220
// Hz) stays; a +6 dB ride on the voice over the hook. Vocal-to-rest = the voice's 220 Hz over the pad's 261.6
// Hz in the hook.
TEST(StemMasterScenario, VocalBuriedInTheHookIsFixedByARide) {
    test::TempDir dir;
    constexpr double kSeconds = 6.0;
    test::PlanarAudio pad = test::padStem(kSeconds, kRate, 0.15, 0.2);
    for (auto& channel : pad)
        for (size_t i = 2 * kRate; i < 4 * kRate; ++i)
            channel[i] *= 2.0f;
    Session s = test::writeStemFolder(
        dir.path(),
        {{"music", "music", pad}, {"lead_vocal", "lead_vocal", test::voiceStem(kSeconds, kRate, 0.2)}},
        kRate);
    s.stems[1].automation.gain_db = {{1.9, 0.0}, {2.0, 6.0}, {4.0, 6.0}, {4.1, 0.0}};
    const Masters m = render(s, dir.file("out"));
    const auto vocalToRest = [](const test::PlanarAudio& a) {
        return toneDb(a, 220.0, 2.5, 1.0) - toneDb(a, 261.63, 2.5, 1.0);
    };
    const double mix = vocalToRest(m.mix), stem = vocalToRest(m.stem), stereo = vocalToRest(m.stereo);
    figures("vocal-to-rest in the hook", mix, stereo, stem);
    EXPECT_NEAR(stem - mix, 6.0, 0.5)
        << "vocal-to-rest in the hook: mix " << mix << " dB -> stem master " << stem;
    EXPECT_NEAR(stereo - mix, 0.0, 0.3) << "stereo master " << stereo << " dB";
    // Outside the hook the ride leaves the balance alone.
    const auto verse = [](const test::PlanarAudio& a) {
        return toneDb(a, 220.0, 0.5, 1.0) - toneDb(a, 261.63, 0.5, 1.0);
    };
    EXPECT_NEAR(verse(m.stem) - verse(m.mix), 0.0, 0.3);
}

// One 808 note that jumps out: a line of 55 Hz notes at -10.5 dBFS with one 73.4 Hz note at -1 dBFS (+9.5
// dB). A dynamic EQ bell on that note (73.4 Hz, Q 4, above -14 dB at 4:1, up to 9 dB) takes it down; the 55
// Hz notes sit under its threshold.
TEST(StemMasterScenario, OneBassNoteIsFixedByADynamicEqBand) {
    test::TempDir dir;
    constexpr double kSeconds = 6.0;
    std::vector<test::Note> notes;
    for (int n = 0; n < 6; ++n)
        notes.push_back({n * 1.0, 0.9, n == 3 ? 73.42 : 55.0, n == 3 ? 0.89 : 0.3});
    Session s = test::writeStemFolder(dir.path(),
                                      {{"bass", "bass", test::bassStem(kSeconds, kRate, notes)},
                                       {"music", "music", test::padStem(kSeconds, kRate, 0.1, 0.2)}},
                                      kRate);
    const DynamicEqBandSettings band{.frequency_hz = 73.42,
                                     .q = 4,
                                     .threshold_db = -14,
                                     .ratio = 4,
                                     .attack_ms = 5,
                                     .release_ms = 150,
                                     .range_db = 9};
    s.stems[0].dynamic_eq = {band};
    const Masters m = render(s, dir.file("out"));
    const auto jump = [](const test::PlanarAudio& a) {
        return toneDb(a, 73.42, 3.2, 0.5) - 0.5 * (toneDb(a, 55.0, 2.2, 0.5) + toneDb(a, 55.0, 4.2, 0.5));
    };
    const double mix = jump(m.mix), stem = jump(m.stem), stereo = jump(m.stereo);
    figures("808 note over its neighbours", mix, stereo, stem);
    EXPECT_GT(mix, 9.0) << "the case: the note jumps out of the mix by " << mix << " dB";
    EXPECT_LT(stem, mix - 6.0) << "the note over its neighbours: mix " << mix << " dB -> stem master "
                               << stem;
    EXPECT_GT(stereo, mix - 1.0) << "stereo master " << stereo << " dB";
}

// The kick/808 clash: a 82.4 Hz 808 held under a kick every 0.5 s. A band on the 808 at 82.4 Hz keyed by
// the kick ducks it by up to 6 dB while the kick hits. Duck depth = the 808 between hits over the 808 in the
// 60 ms after each hit (the same limiter acts on both masters, so each is taken against its own figure).
TEST(StemMasterScenario, KickAnd808ClashIsFixedByASidechainDuck) {
    test::TempDir dir;
    constexpr double kSeconds = 4.0;
    Session s = test::writeStemFolder(
        dir.path(),
        {{"kick", "drums", test::kickStem(kSeconds, kRate, 0.5, 0.5)},
         {"bass", "bass", test::bassStem(kSeconds, kRate, {{0.0, kSeconds, 82.41, 0.3}})}},
        kRate);
    // the kick's thump reads about -8 dBFS through the band, -26 dBFS by 0.3 s
    const DynamicEqBandSettings duck{.frequency_hz = 82.41,
                                     .q = 0.7,
                                     .threshold_db = -22,
                                     .ratio = 10,
                                     .attack_ms = 1,
                                     .release_ms = 40,
                                     .range_db = 6,
                                     .key = "kick"};
    s.stems[1].dynamic_eq = {duck};
    const Masters m = render(s, dir.file("out"));
    const auto depth = [](const test::PlanarAudio& a) {
        double during = 0, between = 0;
        for (int hit = 1; hit < 7; ++hit) {
            during += toneDb(a, 82.41, hit * 0.5 + 0.01, 0.06);
            between += toneDb(a, 82.41, hit * 0.5 + 0.3, 0.15);
        }
        return (between - during) / 6.0;
    };
    const double mix = depth(m.mix), stem = depth(m.stem), stereo = depth(m.stereo);
    figures("808 duck depth under the kick", mix, stereo, stem);
    EXPECT_GT(stem - stereo, 4.0) << "808 ducked under the kick: mix " << mix << " dB, stereo master "
                                  << stereo << " dB, stem master " << stem << " dB";
    EXPECT_LT(std::abs(stereo - mix), 1.5) << "the stereo master cannot duck the 808 alone";
}

// The snare driving the limiter: full-scale snare cracks over a quiet bed. Peak control on the snare stem
// (-14 dBTP, 4x) takes the cracks down before the sum, so the master limiter works less for the same
// loudness.
TEST(StemMasterScenario, SnareDrivingTheLimiterIsFixedByPeakControl) {
    test::TempDir dir;
    constexpr double kSeconds = 6.0;
    Session s = test::writeStemFolder(dir.path(),
                                      {{"snare", "drums", test::snareStem(kSeconds, kRate, 0.9, 0.5)},
                                       {"music", "music", test::padStem(kSeconds, kRate, 0.12, 0.2)},
                                       {"lead_vocal", "lead_vocal", test::voiceStem(kSeconds, kRate, 0.12)}},
                                      kRate);
    s.loudness.target_lufs = -12;
    s.stems[0].peak_control = {true, -14.0, 4};
    const Masters m = render(s, dir.file("out"));
    figures("limiter max gain reduction", NAN, m.stereoLimiterMaxGrDb, m.stemLimiterMaxGrDb);
    EXPECT_LT(m.stemLimiterMaxGrDb, m.stereoLimiterMaxGrDb - 3.0)
        << "limiter max gain reduction: stereo master " << m.stereoLimiterMaxGrDb << " dB, stem master "
        << m.stemLimiterMaxGrDb << " dB";
}

// The too-wide bus: a pad whose side is 1.5 times its mid (out of phase on mono) in the chorus (2-4 s). A
// width ride to 0.5 over the chorus brings the side under the mid; the stereo master keeps the mix's width.
TEST(StemMasterScenario, TooWideBusIsFixedByWidthAutomation) {
    test::TempDir dir;
    constexpr double kSeconds = 6.0;
    test::PlanarAudio pad = test::padStem(kSeconds, kRate, 0.15, 0.4);
    const test::PlanarAudio wide = test::padStem(kSeconds, kRate, 0.15, 1.5);
    for (size_t c = 0; c < 2; ++c)
        std::copy(wide[c].begin() + 2 * kRate, wide[c].begin() + 4 * kRate, pad[c].begin() + 2 * kRate);
    Session s = test::writeStemFolder(
        dir.path(),
        {{"synths", "music", pad}, {"lead_vocal", "lead_vocal", test::voiceStem(kSeconds, kRate, 0.15)}},
        kRate);
    s.stems[0].automation.width = {{1.95, 1.0}, {2.0, 0.5}, {4.0, 0.5}, {4.05, 1.0}};
    const Masters m = render(s, dir.file("out"));
    const auto sideOverMid = [](const test::PlanarAudio& a) { return sideOverMidDb(a, kRate, 2.5, 3.5); };
    const double mix = sideOverMid(m.mix), stem = sideOverMid(m.stem), stereo = sideOverMid(m.stereo);
    figures("side over mid in the chorus", mix, stereo, stem);
    EXPECT_GT(mix, 0.0) << "the case: the chorus is wider than it is centred (side/mid " << mix << " dB)";
    EXPECT_LT(stem, mix - 4.0) << "side over mid in the chorus: mix " << mix << " dB -> stem master " << stem;
    EXPECT_NEAR(stereo, mix, 0.5) << "stereo master " << stereo << " dB";
}

// The too-wide synth bus found and fixed by the advisor (issue 16), on the labelled benchmark's folder whose
// music (synth) stem was widened 8 dB in the hook: the advisor names the stem, writes a width ride over the
// hook, and the stem master rendered from the session it sets narrows the song's hook; the stereo master (the
// mix through the same master) cannot. Side over mid of the whole song, in the ridden hook less its ramps.
TEST(StemMasterScenario, TooWideSynthBusFoundByTheAdvisorIsFixedByItsWidthRide) {
    test::TempDir dir;
    const std::string folder = dir.file("Demo Song");
    for (const auto& c : test::labelledCases())
        if (c.name == "synth_too_wide_hook") test::writeLabelledCase(folder, c);
    const FolderScan scan = scanClientFolder(folder);
    const ElementAnalysis elements = analyzeFolderElements(scan);
    const Advice advice = advise(validateFolder(scan), elements);
    const SessionFix* ride = nullptr;
    for (const auto& fix : advice.fixes)
        if (fix.tool == "width_ride") ride = &fix;
    ASSERT_NE(ride, nullptr) << "verdict " << recommendationName(advice.recommendation);
    EXPECT_EQ(ride->stemId, "music");
    EXPECT_LT(ride->widthFactor, 1.0);
    Session s = makeDefaultSession(scan);
    EXPECT_TRUE(applyFixes(s, advice.fixes).empty());
    s.song = "song";
    s.output.mode = "both";
    s.output.mp3 = false;
    const Masters m = render(s, dir.file("out"));

    DemoOptions demo;
    demo.seconds = test::kDefectSeconds;
    const DemoLayout layout = demoLayout(demo);
    // Within the ride (the hook as the advisor found it), clear of its ramps.
    const auto hook = [&](const test::PlanarAudio& a) {
        return sideOverMidDb(a, kRate, ride->startSeconds + 0.3, ride->endSeconds - 0.3);
    };
    const auto verse = [&](const test::PlanarAudio& a) {
        return sideOverMidDb(a, kRate, layout.introEnd + 0.5, layout.verseEnd - 0.5);
    };
    const double mix = hook(m.mix), stem = hook(m.stem), stereo = hook(m.stereo);
    figures("song's side over mid in the hook", mix, stereo, stem);
    EXPECT_LT(stem, mix - 2.0) << "side over mid in the hook: mix " << mix << " dB -> stem master " << stem
                               << " dB (music width ridden to " << ride->widthFactor << ")";
    EXPECT_NEAR(stereo, mix, 0.5) << "stereo master " << stereo << " dB, mix " << mix << " dB";
    // The ride is the hook's only: the verse keeps its width in the stem master.
    EXPECT_NEAR(verse(m.stem), verse(m.mix), 0.5) << "side over mid in the verse: mix " << verse(m.mix)
                                                  << " dB, stem master " << verse(m.stem) << " dB";
}

} // namespace lathe::core
