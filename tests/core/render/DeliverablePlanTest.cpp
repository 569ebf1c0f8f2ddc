#include "core/render/DeliverablePlan.h"
#include "core/Error.h"

#include <gtest/gtest.h>

using namespace lathe::core;

namespace {

Session sessionWith(std::vector<const char*> specs, int rate = 48000) {
    Session s;
    s.song = "Song";
    s.sample_rate = rate;
    for (const char* spec : specs)
        s.output.deliverables.push_back(parseDeliverableSpec(spec));
    return s;
}

} // namespace

TEST(DeliverablePlan, WithoutASetTheFilesAreTodays) {
    Session s;
    s.song = "Song";
    s.sample_rate = 96000;
    auto v = planVariants(s, "stereo_master", "/out");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].sampleRate, 96000);
    EXPECT_EQ(v[0].bitDepth, 24);
    ASSERT_EQ(v[0].pcm.size(), 1u);
    EXPECT_EQ(v[0].pcm[0].path, "/out/Song_stereo_master.wav");
    EXPECT_TRUE(v[0].lossy.empty()) << "MP3 does not carry 96 kHz";
    s.sample_rate = 48000;
    v = planVariants(s, "stem_master", "/out");
    ASSERT_EQ(v[0].lossy.size(), 1u);
    EXPECT_EQ(v[0].lossy[0].path, "/out/Song_stem_master.mp3");
    EXPECT_EQ(v[0].lossy[0].spec.kbps, 320);
    EXPECT_FALSE(writesReleaseTags(s));
}

TEST(DeliverablePlan, OneVariantPerRateAndWordLengthLossyFromTheBestAtItsRate) {
    const Session s = sessionWith(
        {"wav:24:96000", "wav:16:44100", "flac:16:44100", "mp3:320", "opus", "aac", "wav:32:48000"});
    const auto v = planVariants(s, "stereo_master", "");
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].sampleRate, 96000);
    EXPECT_EQ(v[1].sampleRate, 44100);
    EXPECT_EQ(v[1].bitDepth, 16);
    EXPECT_EQ(v[1].pcm.size(), 2u) << "WAV and FLAC of one spec share one rendering (dithered once)";
    // MP3 cannot carry 96 kHz; the first PCM rate it carries is 44.1 kHz. Opus is made at 48 kHz, where the
    // float WAV is. AAC carries 96 kHz.
    EXPECT_EQ(v[1].lossy.size(), 1u);
    EXPECT_EQ(v[1].lossy[0].spec.format, "mp3");
    EXPECT_EQ(v[2].sampleRate, 48000);
    ASSERT_EQ(v[2].lossy.size(), 1u);
    EXPECT_EQ(v[2].lossy[0].spec.format, "opus");
    ASSERT_EQ(v[0].lossy.size(), 1u);
    EXPECT_EQ(v[0].lossy[0].spec.format, "aac");
    EXPECT_EQ(v[0].pcm[0].path, "Song_stereo_master_24bit_96k.wav");
    EXPECT_EQ(v[1].pcm[0].path, "Song_stereo_master_16bit_44.1k.wav");
    EXPECT_EQ(v[1].pcm[1].path, "Song_stereo_master.flac");
    EXPECT_TRUE(writesReleaseTags(s));
}

TEST(DeliverablePlan, LossyOnlySetsEncodeFromFloatAndNamesMustDiffer) {
    const auto v = planVariants(sessionWith({"mp3:320", "mp3:128"}), "stereo_master", "");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].bitDepth, 32) << "no dither before an encoder";
    EXPECT_TRUE(v[0].pcm.empty());
    EXPECT_EQ(v[0].lossy[0].path, "Song_stereo_master_320k.mp3");
    EXPECT_EQ(v[0].lossy[1].path, "Song_stereo_master_128k.mp3");
    Session clash = sessionWith({"wav:24", "wav:16"});
    clash.output.deliverables[0].name = "{song}";
    clash.output.deliverables[1].name = "{song}";
    EXPECT_THROW(planVariants(clash, "stereo_master", ""), Error);
    // Opus is made at 48 kHz whatever the session's rate; a set asking for another rate is refused.
    const auto opus = planVariants(sessionWith({"opus"}, 44100), "stereo_master", "");
    EXPECT_EQ(opus[0].sampleRate, 48000);
    Session opus44 = sessionWith({"opus"}, 44100);
    opus44.output.deliverables[0].sample_rate = 44100;
    EXPECT_THROW(planVariants(opus44, "stereo_master", ""), Error);
}
