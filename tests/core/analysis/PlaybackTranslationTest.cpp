#include "core/analysis/PlaybackTranslation.h"

#include "dsp/PlaybackSimulation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

using namespace lathe;
using dsp::PlaybackSystem;

namespace {

constexpr int kRate = 48000;
constexpr double kSeconds = 8.0;

core::LoadedAudio tone(double hz, double amplitude, const std::string& name, int rate = kRate) {
    core::LoadedAudio a;
    a.info.path = "/x/" + name;
    a.info.sampleRate = rate;
    a.info.channels = 2;
    const auto n = static_cast<std::size_t>(kSeconds * rate);
    a.info.frames = static_cast<int64_t>(n);
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = static_cast<float>(amplitude *
                                  std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(i) / rate));
    a.channels = {x, x};
    return a;
}

const core::SystemTranslation& find(const core::TranslationReport& r, PlaybackSystem s) {
    for (const auto& t : r.systems)
        if (t.system == s) return t;
    throw std::runtime_error("system missing");
}

std::vector<core::SongSection> wholeSong() {
    core::SongSection s;
    s.startSeconds = 0;
    s.endSeconds = kSeconds;
    s.label = "verse";
    return {s};
}

} // namespace

TEST(PlaybackTranslation, VocalToRestChangeIsTheModelsResponseDifference) {
    // A dark "vocal" (250 Hz) against a band that is all presence (2.5 kHz): the same weighting applies on
    // the flat and the simulated system, so per system the vocal-to-rest figure moves by exactly |H(250 Hz)|
    // - |H(2.5 kHz)| of that system's model.
    const auto vocal = tone(250.0, 0.3, "vocal.wav"), band = tone(2500.0, 0.2, "band.wav");
    const auto sections = wholeSong();
    const auto r = core::analyzeTranslation(
        nullptr, {{&vocal, core::StemRole::LeadVocal}, {&band, core::StemRole::Music}}, sections);
    ASSERT_EQ(r.systems.size(), 4u);
    EXPECT_EQ(r.systems[0].system, PlaybackSystem::PhoneSpeaker);
    EXPECT_EQ(r.systems[3].system, PlaybackSystem::Car);
    for (const auto& t : r.systems) {
        ASSERT_TRUE(t.vocalToRestDb && t.flatVocalToRestDb);
        const double expected = dsp::playbackSystemMagnitudeDb(t.system, kRate, 250.0) -
                                dsp::playbackSystemMagnitudeDb(t.system, kRate, 2500.0);
        EXPECT_NEAR(*t.vocalToRestDb - *t.flatVocalToRestDb, expected, 0.1)
            << dsp::playbackSystemName(t.system);
        ASSERT_EQ(t.sectionVocalToRestDb.size(), 1u);
        ASSERT_TRUE(t.sectionVocalToRestDb[0]);
        EXPECT_NEAR(*t.sectionVocalToRestDb[0], *t.vocalToRestDb, 0.01);
        // Lost exactly where the model takes more than 3 dB off the vocal against the band.
        EXPECT_EQ(t.vocalDisappears, expected < -core::kVocalLossDb) << dsp::playbackSystemName(t.system);
        ASSERT_FALSE(t.notes.empty());
    }
    const auto& phone = find(r, PlaybackSystem::PhoneSpeaker);
    EXPECT_TRUE(phone.vocalDisappears); // about -15 dB
    EXPECT_NE(phone.notes.front().find("gets lost"), std::string::npos) << phone.notes.front();
    EXPECT_FALSE(find(r, PlaybackSystem::LaptopSpeakers).vocalDisappears);
    // Flat figure: 0.3 vs 0.2 amplitude, plus the K-weighting's shelf at 2.5 kHz (about +3.4 dB, computed
    // from the same BS.1770 curve) against almost none at 250 Hz.
    EXPECT_NEAR(*phone.flatVocalToRestDb, 20.0 * std::log10(0.3 / 0.2) - 3.4, 0.6);
}

TEST(PlaybackTranslation, MixLoudnessMovesByTheModelsGainAndTheCodecIsMeasured) {
    // One 1 kHz tone: BS.1770 weighting is the same before and after, so the integrated loudness through a
    // system changes by the model's gain at 1 kHz (the phone's mono sum keeps a centred tone's level).
    const auto mix = tone(1000.0, 0.25, "mix.wav");
    const auto stem = tone(1000.0, 0.25, "music.wav");
    const auto r = core::analyzeTranslation(&mix, {{&stem, core::StemRole::Music}}, wholeSong(), 320);
    for (const auto& t : r.systems) {
        ASSERT_TRUE(t.integratedLufs && t.flatIntegratedLufs);
        EXPECT_NEAR(*t.integratedLufs - *t.flatIntegratedLufs,
                    dsp::playbackSystemMagnitudeDb(t.system, kRate, 1000.0), 0.05)
            << dsp::playbackSystemName(t.system);
        EXPECT_FALSE(t.vocalToRestDb); // no lead vocal stem
    }
    ASSERT_TRUE(r.codec);
    EXPECT_EQ(r.codec->bitrateKbps, 320);
    EXPECT_NEAR(r.codec->inputTruePeakDbtp, 20.0 * std::log10(0.25), 0.05);
    EXPECT_NEAR(r.codec->truePeakDbtp, r.codec->inputTruePeakDbtp, 0.5);
    EXPECT_LT(r.codec->differenceDb, -40.0);
    EXPECT_FALSE(r.codec->exceedsCeiling);
    const auto json = core::codecJson(r);
    EXPECT_EQ(json["bitrate_kbps"], 320);
    EXPECT_EQ(core::translationJson(r, wholeSong()).size(), 4u);
    EXPECT_EQ(core::translationJson(r, wholeSong())[0]["system"], "phone");
}

TEST(PlaybackTranslation, NoCodecFigureWithoutAMixOrAtARateMp3CannotCarry) {
    const auto stem = tone(1000.0, 0.25, "music.wav");
    const auto noMix = core::analyzeTranslation(nullptr, {{&stem, core::StemRole::Music}}, wholeSong());
    EXPECT_FALSE(noMix.codec);
    EXPECT_FALSE(noMix.codecSkipped.empty());
    EXPECT_TRUE(core::codecJson(noMix).is_null());
    const auto hiRes = tone(1000.0, 0.25, "mix.wav", 96000),
               hiResStem = tone(1000.0, 0.25, "music.wav", 96000);
    const auto r = core::analyzeTranslation(&hiRes, {{&hiResStem, core::StemRole::Music}}, wholeSong());
    EXPECT_FALSE(r.codec);
    EXPECT_NE(r.codecSkipped.find("96000"), std::string::npos);
    EXPECT_EQ(r.systems.size(), 4u);
}
