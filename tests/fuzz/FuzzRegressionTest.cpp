// Replays every fuzz corpus and regression input (tests/fuzz/corpus/<target>,
// tests/fuzz/regressions/<target>) through the same calls the libFuzzer targets make
// (tests/fuzz/FuzzHarness.h), without libFuzzer: each must end in success or a clean core::Error. In the ASan
// preset this also catches the memory errors the fuzzers found.

#include "fuzz/FuzzHarness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <typeinfo>
#include <vector>

namespace fs = std::filesystem;
using lathe::fuzz::Outcome;

namespace {

const fs::path kFuzzDir = fs::path(LATHE_TEST_SOURCE_DIR) / "fuzz";

std::string readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every input of a target, corpus first, sorted so failures are reported in a stable order.
std::vector<fs::path> inputsOf(const std::string& target) {
    std::vector<fs::path> inputs;
    for (const char* kind : {"corpus", "regressions"}) {
        const fs::path dir = kFuzzDir / kind / target;
        if (!fs::is_directory(dir)) continue;
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
                inputs.push_back(entry.path());
    }
    std::sort(inputs.begin(), inputs.end());
    return inputs;
}

using Harness = Outcome (*)(const uint8_t*, size_t);

// Runs every input; returns the outcome per file name. A non-core::Error exception fails the test naming the
// input.
std::map<std::string, Outcome> replay(const std::string& target, Harness harness) {
    std::map<std::string, Outcome> outcomes;
    for (const fs::path& input : inputsOf(target)) {
        const std::string bytes = readAll(input);
        try {
            outcomes[input.filename().string()] =
                harness(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        } catch (const std::exception& e) {
            ADD_FAILURE() << input << " escaped as " << typeid(e).name() << ": " << e.what();
        }
    }
    return outcomes;
}

} // namespace

TEST(FuzzRegression, AudioLoaderInputsEndCleanly) {
    const auto outcomes = replay("AudioLoaderFuzz", &lathe::fuzz::runAudioLoader);
    ASSERT_GE(outcomes.size(), 9u) << "the seed corpus is missing";
    // The seeds prove the harness reaches both ends: good files load, each kind of bad one is refused.
    EXPECT_EQ(outcomes.at("wav16-stereo"), Outcome::Accepted);
    EXPECT_EQ(outcomes.at("aiff24-mono"), Outcome::Accepted);
    EXPECT_EQ(outcomes.at("flac16-stereo"), Outcome::Accepted);
    EXPECT_EQ(outcomes.at("wav-float"), Outcome::Accepted);
    EXPECT_EQ(outcomes.at("wav-truncated"), Outcome::Rejected);
    EXPECT_EQ(outcomes.at("wav-u8"), Outcome::Rejected);
    EXPECT_EQ(outcomes.at("wav-3ch"), Outcome::Rejected);
    // Found by the fuzzer: an Ogg stream libsndfile cannot size (it reports SF_COUNT_MAX frames) was accepted
    // as a source 2^63 frames long.
    EXPECT_EQ(outcomes.at("ogg-unknown-length-7a75f1bf"), Outcome::Rejected);
    // Found by the fuzzer: a bad Vorbis header (libsndfile leaks inside; see tests/fuzz/lsan.supp).
    EXPECT_EQ(outcomes.at("leak-vorbis-libsndfile-80c4dfc3"), Outcome::Rejected);
}

TEST(FuzzRegression, SessionJsonInputsEndCleanly) {
    const auto outcomes = replay("SessionJsonFuzz", &lathe::fuzz::runSessionJson);
    ASSERT_GE(outcomes.size(), 4u) << "the seed corpus is missing";
    EXPECT_EQ(outcomes.at("demo-session"), Outcome::Accepted);
    EXPECT_EQ(outcomes.at("overrides"), Outcome::Accepted);
}

TEST(FuzzRegression, FolderScanInputsEndCleanly) {
    const auto outcomes = replay("FolderScanFuzz", &lathe::fuzz::runFolderScan);
    ASSERT_GE(outcomes.size(), 2u) << "the seed corpus is missing";
    EXPECT_EQ(outcomes.at("client-tree"), Outcome::Accepted);
    // Found by the fuzzer: a file name that is not UTF-8 made toJson(scan).dump() throw (`scan --json`
    // aborted).
    EXPECT_EQ(outcomes.at("non-utf8-name-3fcd5bbc"), Outcome::Accepted);
}

// The folder decoder must keep every path inside the scratch tree whatever the input says.
TEST(FuzzRegression, FuzzedPathsStayInsideTheTree) {
    EXPECT_EQ(lathe::fuzz::sanitisedRelativePath("../../etc/passwd"), fs::path("etc/passwd"));
    EXPECT_EQ(lathe::fuzz::sanitisedRelativePath("/abs/./x"), fs::path("abs/x"));
    EXPECT_EQ(lathe::fuzz::sanitisedRelativePath("a/b/c/d/e/f/g/h"), fs::path("a/b/c/d/e/f"));
    EXPECT_TRUE(lathe::fuzz::sanitisedRelativePath("../..").empty());
}
