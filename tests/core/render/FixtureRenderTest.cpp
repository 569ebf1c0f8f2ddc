// Same session, same master: the fixture sessions in tests/fixtures/full-chain (every stem and master
// processor on) are rendered from a freshly synthesized demo song and compared with the masters stored as
// references. A change not meant to alter the sound must keep each master within a -120 dBFS null of its
// reference (and is reported bit-identical or not); a change meant to alter it regenerates the references
// with tests/fixtures/update-fixture.sh, and the diff of the reference files shows which masters moved.
//
// The reference of a master is its per-channel checksum (bit-identity) and a sketch of each channel for the
// null: every sample is added, with a pseudo-random sign, into one of kSketchBuckets buckets chosen by a hash
// of its frame index (a CountSketch). The sketch is linear, so sketch(a) - sketch(b) = sketch(a - b), and the
// energy of a signal's sketch is its energy on average whatever the signal (E[sign * sign'] = 0 for two
// frames). The null's RMS is then measured from two small vectors without storing the master;
// FixtureRender.SketchNullMatchesTheSubtractedNull checks the estimate against subtracting the signals.
#include "core/demo/DemoFolder.h"
#include "core/io/AudioFileReader.h"
#include "core/model/Session.h"
#include "core/model/SessionJson.h"
#include "core/render/Renderer.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace lathe::core {
namespace {

constexpr int kSketchBuckets = 512;
constexpr double kNullLimitDbfs = -120.0;
// The fixture song: the demo synthesizer's, short so the test stays quick and nothing large is stored.
constexpr double kSongSeconds = 8.0;

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::vector<double> sketchOf(const std::vector<float>& channel) {
    std::vector<double> buckets(kSketchBuckets, 0.0);
    for (std::size_t n = 0; n < channel.size(); ++n) {
        const std::uint64_t h = splitmix64(n);
        const double sign = (h >> 63) != 0 ? -1.0 : 1.0;
        buckets[static_cast<std::size_t>(h % kSketchBuckets)] += sign * channel[n];
    }
    return buckets;
}

// RMS (dBFS, 1.0 = full scale) of the difference of two signals of `frames` frames, from their sketches.
double sketchNullDbfs(const std::vector<double>& a, const std::vector<double>& b, std::int64_t frames) {
    double energy = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        energy += (a[i] - b[i]) * (a[i] - b[i]);
    return energy > 0 ? 10.0 * std::log10(energy / static_cast<double>(frames)) : -HUGE_VAL;
}

std::string checksumOf(const std::vector<float>& channel) {
    // FNV-1a (64 bit) over the samples' bits as read.
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (float sample : channel) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &sample, sizeof bits);
        for (int byte = 0; byte < 4; ++byte) {
            hash ^= (bits >> (8 * byte)) & 0xffu;
            hash *= 0x100000001b3ULL;
        }
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

json masterReference(const std::string& wavPath) {
    int rate = 0;
    const test::PlanarAudio audio = test::readTestAudio(wavPath, &rate);
    json channels = json::array();
    for (const auto& channel : audio)
        channels.push_back({{"checksum", checksumOf(channel)}, {"sketch", sketchOf(channel)}});
    return {{"sample_rate", rate},
            {"bit_depth", AudioFileReader(wavPath).info().bitDepth},
            {"frames", audio.empty() ? 0 : audio[0].size()},
            {"channels", channels}};
}

fs::path fixtureDir() {
    return fs::path(LATHE_TEST_SOURCE_DIR) / "fixtures" / "full-chain";
}

// Renders fixtures/full-chain/<variant>.lathe from a fresh demo song; returns {master file name: reference}.
json renderFixture(const std::string& variant) {
    test::TempDir dir;
    DemoOptions demo;
    demo.seconds = kSongSeconds;
    writeDemoFolder(dir.file("song"), demo);
    const std::string sessionPath = dir.file(variant + ".lathe");
    fs::copy_file(fixtureDir() / (variant + ".lathe"), sessionPath);
    const RenderReport report = renderSession(loadSession(sessionPath), dir.file("out"));
    json masters = json::object();
    for (const auto& d : report.deliverables)
        masters[fs::path(d.wavPath).filename().string()] = masterReference(d.wavPath);
    return masters;
}

// LATHE_UPDATE_FIXTURE=1 (tests/fixtures/update-fixture.sh) writes the references instead of comparing.
void checkOrUpdate(const std::string& variant) {
    const json rendered = renderFixture(variant);
    ASSERT_EQ(rendered.size(), 2u) << "the fixture makes a stereo and a stem master";
    const fs::path referencePath = fixtureDir() / (variant + ".reference.json");
    if (const char* update = std::getenv("LATHE_UPDATE_FIXTURE"); update && std::string(update) == "1") {
        std::ofstream(referencePath) << rendered.dump(1) << "\n";
        std::printf("[fixture] wrote %s\n", referencePath.c_str());
        ASSERT_EQ(json::parse(std::ifstream(referencePath)), rendered);
        return;
    }
    std::ifstream in(referencePath);
    ASSERT_TRUE(in) << referencePath << " is missing: run tests/fixtures/update-fixture.sh";
    const json reference = json::parse(in);
    ASSERT_EQ(reference.size(), rendered.size());
    for (const auto& [name, want] : reference.items()) {
        SCOPED_TRACE(variant + " " + name);
        ASSERT_TRUE(rendered.contains(name)) << "no longer rendered";
        const json& got = rendered[name];
        ASSERT_EQ(got["sample_rate"], want["sample_rate"]);
        ASSERT_EQ(got["bit_depth"], want["bit_depth"]);
        ASSERT_EQ(got["frames"], want["frames"]);
        ASSERT_EQ(got["channels"].size(), want["channels"].size());
        bool bitIdentical = true;
        double worstNull = -HUGE_VAL;
        for (std::size_t c = 0; c < want["channels"].size(); ++c) {
            bitIdentical = bitIdentical && got["channels"][c]["checksum"] == want["channels"][c]["checksum"];
            worstNull =
                std::max(worstNull, sketchNullDbfs(got["channels"][c]["sketch"].get<std::vector<double>>(),
                                                   want["channels"][c]["sketch"].get<std::vector<double>>(),
                                                   got["frames"].get<std::int64_t>()));
        }
        std::printf("[fixture] %s %s: null %.1f dBFS, %s\n", variant.c_str(), name.c_str(), worstNull,
                    bitIdentical ? "bit-identical" : "NOT bit-identical");
        ::testing::Test::RecordProperty(name + "_bit_identical", bitIdentical ? "yes" : "no");
        EXPECT_LE(worstNull, kNullLimitDbfs) << "the master changed; if on purpose, run "
                                                "tests/fixtures/update-fixture.sh";
    }
}

TEST(FixtureRender, FullChain48k24MastersNullAgainstTheirReference) {
    checkOrUpdate("full-chain-48k24");
}

TEST(FixtureRender, FullChain44k16MastersNullAgainstTheirReference) {
    checkOrUpdate("full-chain-44k16");
}

// The dispatched vector paths (AVX-512 or AVX, where the CPU has them) against the SSE2 fallback a CPU
// without them runs (LATHE_DSP_MAX_VECTOR_WIDTH=4): the same masters bit for bit, so a master does not depend
// on the machine that rendered it.
TEST(FixtureRender, FallbackVectorPathsRenderTheSameMasters) {
    const json dispatched = renderFixture("full-chain-48k24");
    json fallback;
    {
        struct CapWidth {
            CapWidth() { ::setenv("LATHE_DSP_MAX_VECTOR_WIDTH", "4", 1); }
            ~CapWidth() { ::unsetenv("LATHE_DSP_MAX_VECTOR_WIDTH"); }
        } cap;
        fallback = renderFixture("full-chain-48k24");
    }
    ASSERT_EQ(dispatched.size(), 2u);
    for (const auto& [name, want] : dispatched.items()) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(fallback.contains(name));
        const json& got = fallback[name];
        ASSERT_EQ(got["frames"], want["frames"]);
        ASSERT_EQ(got["channels"].size(), want["channels"].size());
        for (std::size_t c = 0; c < want["channels"].size(); ++c)
            EXPECT_EQ(got["channels"][c]["checksum"], want["channels"][c]["checksum"]);
    }
}

// The sketch's null against the null measured by subtracting the signals (what a mastering engineer does),
// for the differences a change can make: noise everywhere, one changed sample, a tone, and one 24-bit LSB
// everywhere. 512 buckets estimate the energy of a spread difference within +-1 dB (more than 3 standard
// deviations of sqrt(2 / 512), 0.27 dB); a difference in a few samples is measured exactly unless two share a
// bucket.
TEST(FixtureRender, SketchNullMatchesTheSubtractedNull) {
    const std::int64_t frames = 8 * 48000;
    std::mt19937 random(7);
    std::normal_distribution<double> gaussian(0.0, 0.3);
    std::vector<float> reference(static_cast<std::size_t>(frames));
    for (auto& x : reference)
        x = static_cast<float>(gaussian(random));
    const auto subtractedNullDbfs = [&](const std::vector<float>& other) {
        double energy = 0;
        for (std::size_t n = 0; n < reference.size(); ++n) {
            const double d = static_cast<double>(other[n]) - reference[n];
            energy += d * d;
        }
        return 10.0 * std::log10(energy / static_cast<double>(frames));
    };
    std::vector<std::vector<float>> changed;
    std::normal_distribution<double> faint(0.0, 1e-6); // -120 dBFS RMS
    auto noisy = reference;
    for (auto& x : noisy)
        x = static_cast<float>(x + faint(random));
    changed.push_back(noisy);
    auto oneSample = reference;
    oneSample[123457] += 0.001f;
    changed.push_back(oneSample);
    auto tone = reference;
    for (std::size_t n = 0; n < tone.size(); ++n)
        tone[n] = static_cast<float>(tone[n] + 1e-4 * std::sin(0.05 * static_cast<double>(n)));
    changed.push_back(tone);
    auto lsb = reference;
    for (std::size_t n = 0; n < lsb.size(); ++n)
        lsb[n] = static_cast<float>(lsb[n] + ((n & 1) != 0 ? 1.0 : -1.0) / 8388608.0);
    changed.push_back(lsb);

    const auto referenceSketch = sketchOf(reference);
    for (std::size_t i = 0; i < changed.size(); ++i) {
        const double subtracted = subtractedNullDbfs(changed[i]);
        const double sketched = sketchNullDbfs(sketchOf(changed[i]), referenceSketch, frames);
        EXPECT_NEAR(sketched, subtracted, 1.0) << "difference " << i;
    }
    EXPECT_EQ(sketchNullDbfs(referenceSketch, sketchOf(reference), frames), -HUGE_VAL);
    EXPECT_NE(checksumOf(reference), checksumOf(oneSample));
}

} // namespace
} // namespace lathe::core
