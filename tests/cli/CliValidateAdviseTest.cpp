#include "core/model/Session.h"
#include "core/model/SessionJson.h"
#include "support/CliRunner.h"
#include "support/DefectiveFolders.h"
#include "support/TestAudio.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

using namespace lathe;
using lathe::test::Defect;

TEST(CliValidateAdvise, ValidateExitsZeroOnACleanFolderAndOneOnADefect) {
    test::TempDir clean, shifted;
    test::writeDefectiveFolder(clean.path(), Defect::Clean);
    test::writeDefectiveFolder(shifted.path(), Defect::StemShifted37);
    const auto ok = test::runCli({"validate", clean.path(), "--json"});
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
    const auto okJson = nlohmann::json::parse(ok.out);
    EXPECT_TRUE(okJson["passed"].get<bool>());
    const auto bad = test::runCli({"validate", shifted.path(), "--json"});
    EXPECT_EQ(bad.exitCode, 1) << bad.err;
    const auto badJson = nlohmann::json::parse(bad.out);
    EXPECT_FALSE(badJson["passed"].get<bool>());
    bool found = false;
    for (const auto& c : badJson["checks"])
        if (c["name"] == "alignment") {
            found = true;
            EXPECT_EQ(c["status"], "fail");
            EXPECT_EQ(c["value"].get<double>(), 37.0);
        }
    EXPECT_TRUE(found);
    EXPECT_EQ(badJson["null_test"]["cause"], "stem_offset");
}

TEST(CliValidateAdvise, AdviseWritesAReportAndAppliesTheNudgeToASession) {
    test::TempDir dir, out;
    test::writeDefectiveFolder(dir.path(), Defect::Kick808SameNotes);
    const std::string html = out.file("report.html"), session = out.file("song.lathe");
    const auto r = test::runCli({"advise", dir.path(), "--json", "--html", html, "--apply-to", session});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["recommendation"], "stem_mastering");
    EXPECT_GE(j["confidence"].get<double>(), 0.5);
    ASSERT_EQ(j["nudges"].size(), 1u);
    EXPECT_EQ(j["nudges"][0]["stem"], "bass");
    EXPECT_FALSE(j["nudges"][0]["beyond_nudge"].get<bool>());
    const double nudge = j["nudges"][0]["gain_db"].get<double>();
    // The 808 as loud as the kick at its hits: down to half a dB past the masking line, within 2 dB.
    EXPECT_LT(nudge, 0.0);
    EXPECT_GE(nudge, -2.0);
    ASSERT_EQ(j["findings"].size(), 1u);
    EXPECT_EQ(j["findings"][0]["kind"], "low_end_masking");
    EXPECT_EQ(j["findings"][0]["calls_for"], "stem_mastering");

    // The kick is measured at every hit, and the 808 sits on it.
    EXPECT_GT(j["elements"]["kick_hits"].get<int>(), 4);
    EXPECT_GT(j["elements"]["low_end_masking"].get<double>(), 0.5);

    // Translation: one entry per playback system in a fixed order, each with its figures and sentences.
    ASSERT_EQ(j["translation"].size(), 4u);
    const char* systems[] = {"phone", "laptop", "earbuds", "car"};
    for (std::size_t k = 0; k < 4; ++k) {
        const auto& t = j["translation"][k];
        EXPECT_EQ(t["system"], systems[k]);
        EXPECT_TRUE(t["vocal_to_rest_db"].is_number());
        EXPECT_TRUE(t["integrated_lufs"].is_number());
        EXPECT_FALSE(t["notes"].empty());
        EXPECT_EQ(t["sections"].size(), j["elements"]["sections"].size());
    }
    // The phone loses the 808 and the kick, so the band is quieter and the vocal stands out more.
    EXPECT_LT(j["translation"][0]["integrated_lufs"].get<double>(),
              j["translation"][0]["flat_integrated_lufs"].get<double>() - 1.0);
    EXPECT_GT(j["translation"][0]["vocal_to_rest_db"].get<double>(),
              j["translation"][0]["flat_vocal_to_rest_db"].get<double>());
    // Codec: the mix peaks at -4 dBFS (DemoFolder); 320 kb/s keeps that within half a dB.
    ASSERT_TRUE(j["codec"].is_object());
    EXPECT_EQ(j["codec"]["bitrate_kbps"], 320);
    EXPECT_NEAR(j["codec"]["true_peak_dbtp"].get<double>(), j["codec"]["input_true_peak_dbtp"].get<double>(),
                0.5);
    EXPECT_LT(j["codec"]["difference_db"].get<double>(), -15.0);
    EXPECT_FALSE(j["codec"]["exceeds_ceiling"].get<bool>());

    const std::string page = test::readBytes(html);
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(page.find("<svg"), std::string::npos);
    EXPECT_NE(page.find("Stem mastering"), std::string::npos);
    EXPECT_NE(page.find("Spectrum of each stem"), std::string::npos);
    EXPECT_NE(page.find("02_Bass_808"), std::string::npos);
    EXPECT_NE(page.find("How it plays elsewhere"), std::string::npos);
    EXPECT_NE(page.find("earbuds"), std::string::npos);
    // Self-contained: nothing fetched from elsewhere.
    EXPECT_EQ(page.find("src="), std::string::npos);
    EXPECT_EQ(page.find("href="), std::string::npos);

    // The fix, measured before and after on the stem master, in the report too.
    EXPECT_NE(page.find("The fixes, measured on the stem master"), std::string::npos);
    ASSERT_EQ(j["verified"].size(), 1u);
    EXPECT_EQ(j["verified"][0]["measure"], "bass_over_kick_db");
    EXPECT_EQ(j["verified"][0]["unit"], "dB");
    EXPECT_TRUE(j["verified"][0]["improved"].get<bool>()) << j["verified"][0]["text"];
    EXPECT_LT(j["verified"][0]["after"].get<double>(), j["verified"][0]["before"].get<double>());

    // Applied as a sidechain duck on the bass (keyed by the drums), not a whole-song gain.
    const core::Session s = core::loadSession(session);
    bool applied = false;
    for (const auto& stem : s.stems)
        if (stem.id == "bass") {
            applied = true;
            EXPECT_EQ(stem.gain_db, 0.0);
            ASSERT_EQ(stem.dynamic_eq.size(), 1u);
            EXPECT_EQ(stem.dynamic_eq[0].key, "drums");
            EXPECT_TRUE(stem.dynamic_eq[0].advisor);
        }
    EXPECT_TRUE(applied);
}

// Issue 16: --apply-to sets, it does not add. Applied three times the session is the same file byte for byte
// (before, a whole-song nudge stacked 3 -> 6 -> 9 dB), and the vocal's gain_db is never touched.
TEST(CliValidateAdvise, ApplyingTheAdviceTwiceGivesTheSameSessionByteForByte) {
    test::TempDir dir, out;
    // The demo's hook vocal 1 dB further down: a 2 dB ride
    // (AdvisorFixes.VocalBuriedInTheHookGetsASectionRide).
    const test::DefectiveFolder folder = test::writeDefectiveFolder(dir.path(), Defect::Clean);
    test::scaleSection(folder.files[3], folder.layout.verseEnd, folder.layout.hookEnd, -1.0);
    test::resumMix(folder.files);
    const std::string session = out.file("song.lathe");
    std::vector<std::string> texts;
    for (int k = 0; k < 3; ++k) {
        const auto r = test::runCli({"advise", dir.path(), "--apply-to", session});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_NE(r.out.find("verified: lead vocal against the rest in the hook"), std::string::npos)
            << r.out;
        texts.push_back(test::readBytes(session));
    }
    EXPECT_EQ(texts[0], texts[1]);
    EXPECT_EQ(texts[1], texts[2]);
    const core::Session s = core::loadSession(session);
    bool vocal = false;
    for (const auto& stem : s.stems)
        if (stem.id == "lead_vocal") {
            vocal = true;
            EXPECT_EQ(stem.gain_db, 0.0);
            ASSERT_EQ(stem.automation.gain_db.size(), 4u);
            EXPECT_GT(stem.automation.gain_db[1].value, 0.0);
        }
    EXPECT_TRUE(vocal);
}
