#include "core/model/DeliverableSpec.h"
#include "core/Error.h"
#include "core/model/SessionJson.h"

#include <gtest/gtest.h>

using namespace lathe::core;

TEST(DeliverableSpec, ParsesEveryFormOfTheIssue) {
    const DeliverableSpec wav = parseDeliverableSpec("wav:24:48000");
    EXPECT_EQ(wav.format, "wav");
    EXPECT_EQ(wav.bit_depth, 24);
    EXPECT_EQ(wav.sample_rate, 48000);
    EXPECT_EQ(parseDeliverableSpec("wav").bit_depth, 0);
    EXPECT_EQ(parseDeliverableSpec("flac:16").bit_depth, 16);
    EXPECT_EQ(parseDeliverableSpec("flac:16").sample_rate, 0);
    EXPECT_EQ(parseDeliverableSpec("mp3:192").kbps, 192);
    EXPECT_EQ(parseDeliverableSpec("opus:96").kbps, 96);
    EXPECT_EQ(parseDeliverableSpec("aac:256").kbps, 256);
    EXPECT_DOUBLE_EQ(parseDeliverableSpec("vorbis:6.5").quality, 6.5);
    for (const char* text : {"wav:24:48000", "wav:16", "flac", "mp3:320", "vorbis:6.5", "aac"})
        EXPECT_EQ(deliverableSpecText(parseDeliverableSpec(text)), text);
}

TEST(DeliverableSpec, RefusesWhatCannotBeMadeNamingTheProblem) {
    const auto problem = [](const char* text) {
        try {
            parseDeliverableSpec(text);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(problem("flac:32").find("16 or 24"), std::string::npos);
    EXPECT_NE(problem("wav:20").find("16, 24 or 32"), std::string::npos);
    EXPECT_NE(problem("mp3:400").find("32 to 320"), std::string::npos);
    EXPECT_NE(problem("vorbis:11").find("0 to 10"), std::string::npos);
    EXPECT_NE(problem("wav:24:1000").find("8000 to 384000"), std::string::npos);
    EXPECT_NE(problem("mp3:320:48000").find("too many"), std::string::npos);
    EXPECT_NE(problem("m4a").find("unknown format"), std::string::npos);
    EXPECT_NE(problem("wav:x").find("whole number"), std::string::npos);
    EXPECT_NE(problem("wav::48000").find("empty"), std::string::npos);
}

TEST(DeliverableSpec, PresetsAreTheIssuesSets) {
    for (const auto& name : deliverablePresetNames())
        ASSERT_TRUE(deliverablePreset(name)) << name;
    EXPECT_FALSE(deliverablePreset("vinyl"));
    const auto cd = *deliverablePreset("cd");
    ASSERT_EQ(cd.size(), 2u);
    EXPECT_EQ(cd[0].bit_depth, 16);
    EXPECT_EQ(cd[0].sample_rate, 44100);
    const auto hiRes = *deliverablePreset("hi-res");
    EXPECT_EQ(hiRes[0].sample_rate, 96000);
}

TEST(DeliverableSpec, SessionKeepsTheSetAndTheReleaseMetadata) {
    Session s;
    s.song = "x";
    s.output.deliverables = {parseDeliverableSpec("wav:16:44100"), parseDeliverableSpec("vorbis:7")};
    s.output.deliverables[1].name = "{song}_{kind}_ogg";
    s.output.album = "Après";
    s.output.track = 4;
    s.output.track_total = 10;
    s.output.year = 2026;
    s.output.isrc = "GB-ABC-26-00042";
    s.output.tags = true;
    const Session back = sessionFromJson(toJson(s), "test");
    EXPECT_EQ(back.output, s.output);
    // Older files (no such keys) load with the defaults: no set, no tags.
    nlohmann::json old = toJson(Session{});
    old["output"].erase("deliverables");
    old["output"].erase("tags");
    old["output"].erase("album");
    EXPECT_TRUE(sessionFromJson(old, "old").output.deliverables.empty());
    nlohmann::json badIsrc = toJson(s);
    badIsrc["output"]["isrc"] = "GB-ABC-26";
    EXPECT_THROW(sessionFromJson(badIsrc, "bad"), Error);
    nlohmann::json badSpec = toJson(s);
    badSpec["output"]["deliverables"][0]["bit_depth"] = 20;
    try {
        sessionFromJson(badSpec, "bad");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("output.deliverables.0"), std::string::npos) << e.what();
    }
}
