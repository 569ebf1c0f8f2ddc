#include "core/Session.h"
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
    test::writeDefectiveFolder(dir.path(), Defect::VocalBuriedInHook);
    const std::string html = out.file("report.html"), session = out.file("song.lathe");
    const auto r = test::runCli({"advise", dir.path(), "--json", "--html", html, "--apply-to", session});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["recommendation"], "stem_mastering");
    ASSERT_EQ(j["nudges"].size(), 1u);
    const double nudge = j["nudges"][0]["gain_db"].get<double>();
    EXPECT_NEAR(nudge, 3.0, 1.0);

    const std::string page = test::readBytes(html);
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(page.find("<svg"), std::string::npos);
    EXPECT_NE(page.find("Stem mastering"), std::string::npos);
    // Self-contained: nothing fetched from elsewhere.
    EXPECT_EQ(page.find("src="), std::string::npos);
    EXPECT_EQ(page.find("href="), std::string::npos);

    const core::Session s = core::loadSession(session);
    bool applied = false;
    for (const auto& stem : s.stems)
        if (stem.id == "lead_vocal") {
            applied = true;
            EXPECT_NEAR(stem.gain_db, nudge, 0.005);
        }
    EXPECT_TRUE(applied);
}
