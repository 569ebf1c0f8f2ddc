#include "core/batch/BatchRunner.h"
#include "core/Error.h"
#include "core/batch/JobManifest.h"
#include "core/demo/DemoFolder.h"
#include "core/io/AudioFileReader.h"
#include "core/model/SessionSource.h"

#include "support/AudioProbe.h"
#include "support/CliRunner.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace lathe;
using nlohmann::json;

namespace {

// Short demo folders keep the suite fast: 6 s renders in well under a second with --mode stereo --no-mp3.
std::string makeDemo(const test::TempDir& dir, const std::string& name, std::uint32_t seed = 1) {
    core::DemoOptions options;
    options.seconds = 6.0;
    options.seed = seed;
    return core::writeDemoFolder(dir.file(name), options).folder;
}

core::BatchOptions fastOptions(int parallel = 2) {
    core::BatchOptions options;
    options.render.mode = "stereo";
    options.render.noMp3 = true;
    options.parallelJobs = parallel;
    return options;
}

const core::BatchJobResult& resultFor(const core::BatchSummary& s, const std::string& name) {
    for (const auto& r : s.jobs)
        if (r.job.name == name) return r;
    throw std::runtime_error("no job named " + name);
}

fs::file_time_type mtime(const std::string& path) {
    return fs::last_write_time(path);
}

// A pid that certainly belongs to no running process: a child we already reaped.
pid_t deadPid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

} // namespace

TEST(JobManifest, SkipsCommentsAndBlankLinesAndResolvesRelativePaths) {
    const std::string text = "# catalogue, week 12\n"
                             "\n"
                             "   /abs/Song A  \n"
                             "relative/Song B\r\n"
                             "  # indented comment\n"
                             "Song #3.lathe\n"
                             "\t\n"
                             "../up/Song C";
    const auto inputs = core::parseJobManifest(text, "/base/dir", "m.txt");
    const std::vector<std::string> expected{"/abs/Song A", "/base/dir/relative/Song B",
                                            "/base/dir/Song #3.lathe", "/base/up/Song C"};
    EXPECT_EQ(inputs, expected);
}

TEST(JobManifest, ReadsAFileRelativeToItsFolderAndNamesBadLines) {
    test::TempDir dir;
    test::writeBytes(dir.file("list.txt"), "# two songs\nA\nsub/B\n");
    const auto inputs = core::readJobManifest(dir.file("list.txt"));
    EXPECT_EQ(inputs, (std::vector<std::string>{dir.file("A"), dir.file("sub/B")}));

    try {
        core::readJobManifest(dir.file("missing.txt"));
        FAIL() << "a missing manifest was accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), dir.file("missing.txt"));
    }
    test::writeBytes(dir.file("nul.txt"), std::string("A\nB\nC\0D\n", 8));
    try {
        core::readJobManifest(dir.file("nul.txt"));
        FAIL() << "a manifest with a NUL byte was accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), dir.file("nul.txt") + ":3");
    }
    test::writeBytes(dir.file("latin1.txt"), "A\n\xE9t\xE9\n");
    try {
        core::readJobManifest(dir.file("latin1.txt"));
        FAIL() << "a manifest line in Latin-1 was accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), dir.file("latin1.txt") + ":2");
        EXPECT_NE(e.problem().find("UTF-8"), std::string::npos) << e.what();
    }
    EXPECT_THROW(core::readJobManifest(dir.path()), core::Error); // a folder, not a file
}

TEST(Shard, ParsesKOfNAndRejectsEverythingElse) {
    const core::Shard s = core::parseShard("2/8");
    EXPECT_EQ(s.index, 2);
    EXPECT_EQ(s.count, 8);
    for (const char* bad :
         {"0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/2/3", "", "/", "1/", " 1/2", "1/200001"}) {
        try {
            core::parseShard(bad);
            ADD_FAILURE() << "accepted --shard " << bad;
        } catch (const core::Error& e) {
            EXPECT_EQ(e.path(), "--shard") << bad;
        }
    }
}

TEST(PlanBatch, ShardsPartitionTheSortedJobListWhateverTheInputOrder) {
    std::vector<std::string> inputs;
    for (int i = 9; i >= 0; --i)
        inputs.push_back("/catalogue/song" + std::to_string(i));
    inputs.push_back("/catalogue/song3/"); // the same folder again, with a trailing slash
    std::vector<std::string> reversed(inputs.rbegin(), inputs.rend());

    const auto all = core::planBatch(inputs, "/out");
    ASSERT_EQ(all.size(), 10u);
    for (size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].input, "/catalogue/song" + std::to_string(i));
        EXPECT_EQ(all[i].position, i);
        EXPECT_EQ(all[i].outDir, "/out/song" + std::to_string(i));
    }
    std::multiset<std::string> covered;
    for (int k = 1; k <= 3; ++k) {
        const auto slice = core::planBatch(k % 2 ? inputs : reversed, "/out", core::Shard{k, 3});
        for (const auto& job : slice) {
            EXPECT_EQ(static_cast<int>(job.position % 3), k - 1);
            covered.insert(job.input);
        }
    }
    EXPECT_EQ(covered.size(), 10u);
    EXPECT_EQ(std::set<std::string>(covered.begin(), covered.end()).size(), 10u); // each job exactly once
}

TEST(PlanBatch, GivesSameNamedInputsDistinctOutputFolders) {
    const auto jobs = core::planBatch({"/z/Song.lathe", "/a/Song", "/m/Song"}, "/out", core::Shard{2, 2});
    // Sorted: /a/Song (Song), /m/Song (Song_2), /z/Song.lathe (Song_3); shard 2/2 keeps position 1 only.
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].name, "Song_2");
    const auto all = core::planBatch({"/z/Song.lathe", "/a/Song", "/m/Song"}, "/out");
    EXPECT_EQ(all[2].name, "Song_3");
    EXPECT_EQ(all[2].outDir, "/out/Song_3");
}

TEST(BatchRunner, AFailingJobNeverStopsTheOthers) {
    test::TempDir dir;
    const std::string a = makeDemo(dir, "Alpha", 1);
    const std::string b = makeDemo(dir, "Bravo", 2);
    const std::string broken = makeDemo(dir, "Broken", 3);
    // A truncated stem: the whole folder must fail, never be mastered without it.
    const std::string damaged = broken + "/03_Music.wav";
    fs::resize_file(damaged, fs::file_size(damaged) / 2);
    const auto before = {test::folderChecksums(a), test::folderChecksums(b), test::folderChecksums(broken)};

    const std::string out = dir.file("out");
    fs::create_directories(out);
    core::BatchRunner runner(core::planBatch({broken, b, a}, out), fastOptions(2));
    int finishedCalls = 0;
    double lastProgress = -1;
    core::BatchRunner::Callbacks callbacks;
    callbacks.jobFinished = [&](const core::BatchJobResult&) { ++finishedCalls; };
    callbacks.progress = [&](double f) { lastProgress = f; };
    const core::BatchSummary summary = runner.run(callbacks);

    EXPECT_EQ(finishedCalls, 3);
    EXPECT_DOUBLE_EQ(lastProgress, 1.0);
    EXPECT_EQ(summary.ok, 2);
    EXPECT_EQ(summary.failed, 1);
    const auto& failed = resultFor(summary, "Broken");
    EXPECT_EQ(failed.status, core::BatchJobStatus::Failed);
    EXPECT_NE(failed.error.find("03_Music.wav"), std::string::npos) << failed.error;
    EXPECT_TRUE(test::filesUnder(out + "/Broken").empty());

    for (const char* name : {"Alpha", "Bravo"}) {
        const auto& r = resultFor(summary, name);
        ASSERT_EQ(r.status, core::BatchJobStatus::Ok) << r.error;
        ASSERT_EQ(r.report.deliverables.size(), 1u);
        const auto& d = r.report.deliverables[0];
        EXPECT_EQ(d.wavPath, out + "/" + name + "/" + name + "_stereo_master.wav");
        // Independent meters: libebur128 and soxr 8x, not Lathe's.
        const test::LoadedAudio audio = test::loadAudio(d.wavPath);
        EXPECT_EQ(audio.frames(), 6u * 48000u);
        EXPECT_NEAR(test::integratedLufs(audio), -14.0, 0.3);
        EXPECT_NEAR(test::integratedLufs(audio), d.integratedLufs, 0.05);
        EXPECT_LE(test::truePeak8xDbtp(audio), -1.0 + 0.1);
        EXPECT_TRUE(fs::exists(out + "/" + name + "/" + core::kBatchMarkerName));
    }
    const auto after = {test::folderChecksums(a), test::folderChecksums(b), test::folderChecksums(broken)};
    EXPECT_TRUE(std::equal(before.begin(), before.end(), after.begin())) << "a source file changed";

    const json j = core::toJson(summary);
    EXPECT_EQ(j["failed"], 1);
    ASSERT_EQ(j["jobs"].size(), 3u);
    for (const auto& job : j["jobs"])
        for (const char* key : {"song", "input", "status", "error", "deliverables"})
            EXPECT_TRUE(job.contains(key)) << key;
}

TEST(BatchRunner, ResumeSkipsOnlyCompleteValidJobs) {
    test::TempDir dir;
    const std::string a = makeDemo(dir, "Alpha", 1);
    const std::string b = makeDemo(dir, "Bravo", 2);
    const std::string out = dir.file("out");
    fs::create_directories(out);
    const auto jobs = core::planBatch({a, b}, out);
    ASSERT_EQ(core::BatchRunner(jobs, fastOptions()).run().ok, 2);
    const std::string alphaWav = out + "/Alpha/Alpha_stereo_master.wav";
    const std::string bravoWav = out + "/Bravo/Bravo_stereo_master.wav";
    const auto alphaTime = mtime(alphaWav);
    const std::string alphaSha = test::sha256File(alphaWav);

    core::BatchOptions resume = fastOptions();
    resume.resume = true;
    {
        const auto s = core::BatchRunner(jobs, resume).run();
        EXPECT_EQ(s.skipped, 2);
        // A skipped job still reports its loudness (from report.json).
        EXPECT_NEAR(resultFor(s, "Alpha").report.deliverables.at(0).integratedLufs, -14.0, 0.3);
        EXPECT_EQ(mtime(alphaWav), alphaTime);
    }
    // A truncated WAV under a final name (say, copied by hand and cut short) is not complete.
    fs::resize_file(bravoWav, fs::file_size(bravoWav) - 3000);
    // Debris of a killed render: a hidden temporary whose owner is gone.
    const std::string debris =
        out + "/Alpha/.Alpha_stereo_master.wav.partial-" + std::to_string(deadPid()) + "-0";
    test::writeBytes(debris, "half a file");
    {
        const auto s = core::BatchRunner(jobs, resume).run();
        EXPECT_EQ(resultFor(s, "Alpha").status, core::BatchJobStatus::Skipped);
        const auto& bravo = resultFor(s, "Bravo");
        EXPECT_EQ(bravo.status, core::BatchJobStatus::Ok) << bravo.error;
        EXPECT_NE(bravo.resumeNote.find("Bravo_stereo_master.wav"), std::string::npos) << bravo.resumeNote;
        EXPECT_FALSE(fs::exists(debris));
        EXPECT_EQ(test::sha256File(alphaWav), alphaSha);
        EXPECT_EQ(test::loadAudio(bravoWav).frames(), 6u * 48000u);
    }
    // Missing completion marker (killed between the last rename and the marker): rendered again.
    fs::remove(out + "/Alpha/" + core::kBatchMarkerName);
    {
        const auto s = core::BatchRunner(jobs, resume).run();
        EXPECT_EQ(resultFor(s, "Alpha").status, core::BatchJobStatus::Ok);
        EXPECT_EQ(resultFor(s, "Bravo").status, core::BatchJobStatus::Skipped);
    }
    // Other settings: nothing on disk matches what was asked for.
    core::BatchOptions louder = resume;
    louder.render.targetLufs = -10.0;
    {
        const auto s = core::BatchRunner(jobs, louder).run();
        EXPECT_EQ(s.ok, 2);
        EXPECT_NE(resultFor(s, "Alpha").resumeNote.find("settings"), std::string::npos);
        EXPECT_NEAR(test::integratedLufs(test::loadAudio(alphaWav)), -10.0, 0.3);
    }
}

TEST(CheckDeliverables, NamesWhatIsWrongWithAFinishedRender) {
    test::TempDir dir;
    const std::string a = makeDemo(dir, "Alpha", 1);
    const std::string out = dir.file("out");
    fs::create_directories(out);
    core::BatchOptions options = fastOptions();
    options.render.noMp3 = false; // exercise the MP3 checks too
    const auto jobs = core::planBatch({a}, out);
    ASSERT_EQ(core::BatchRunner(jobs, options).run().ok, 1);

    core::Session session = core::openSessionOrFolder(a);
    core::applyRenderOverrides(session, options.render);
    const json marker = core::batchMarker(jobs[0].input, session);
    const std::string jobDir = jobs[0].outDir;
    ASSERT_EQ(core::checkDeliverables(session, marker, jobDir), "");

    const std::string wav = jobDir + "/Alpha_stereo_master.wav";
    const std::string mp3 = jobDir + "/Alpha_stereo_master.mp3";
    const std::string wavBytes = test::readBytes(wav);
    const std::string mp3Bytes = test::readBytes(mp3);
    const std::string reportBytes = test::readBytes(jobDir + "/report.json");
    const auto expectProblem = [&](const std::string& what, const std::string& mentions) {
        const std::string problem = core::checkDeliverables(session, marker, jobDir);
        EXPECT_NE(problem.find(mentions), std::string::npos) << what << ": \"" << problem << "\"";
    };

    fs::remove(mp3);
    expectProblem("missing MP3", "Alpha_stereo_master.mp3");
    test::writeBytes(mp3, mp3Bytes.substr(0, mp3Bytes.size() / 3));
    expectProblem("MP3 cut to a third", "Alpha_stereo_master.mp3");
    test::writeBytes(mp3, mp3Bytes);

    test::writeBytes(wav, "RIFF....WAVEjunk");
    expectProblem("WAV replaced by junk", "Alpha_stereo_master.wav");
    // A valid WAV of the wrong rate under the final name.
    test::writeTestAudio(wav, test::makeSine(2, 6 * 44100, 44100, 1000, 0.5), 44100, 0x010000 | 0x0003);
    expectProblem("WAV at 44.1 kHz", "Hz");
    // One second short.
    test::writeTestAudio(wav, test::makeSine(2, 5 * 48000, 48000, 1000, 0.5), 48000, 0x010000 | 0x0003);
    expectProblem("WAV a second short", "Alpha_stereo_master.wav");
    test::writeBytes(wav, wavBytes);
    ASSERT_EQ(core::checkDeliverables(session, marker, jobDir), "");

    test::writeBytes(jobDir + "/report.json", reportBytes.substr(0, reportBytes.size() / 2));
    expectProblem("truncated report.json", "report.json");
    test::writeBytes(jobDir + "/report.json", "{\"deliverables\": 7}");
    expectProblem("report.json without a deliverables list", "report.json");
    test::writeBytes(jobDir + "/report.json", reportBytes);

    core::Session stemOnly = session;
    stemOnly.output.mode = "stem";
    EXPECT_NE(core::checkDeliverables(stemOnly, core::batchMarker(jobs[0].input, stemOnly), jobDir), "");
    EXPECT_NE(core::checkDeliverables(stemOnly, marker, jobDir), "") << "report lists other deliverables";
}

TEST(BatchCli, RendersAManifestInShardsWithJsonSummaryAndExitCodes) {
    test::TempDir dir;
    const std::string a = makeDemo(dir, "Alpha", 1);
    const std::string b = makeDemo(dir, "Bravo", 2);
    const std::string c = makeDemo(dir, "Charlie", 3);
    test::writeBytes(dir.file("catalogue.txt"), "# three songs\nAlpha\n\nBravo\n" + c + "\n");
    const std::string out = dir.file("out");

    std::set<std::string> rendered;
    for (const char* shard : {"1/2", "2/2"}) {
        const auto r =
            test::runCli({"batch", "--manifest", dir.file("catalogue.txt"), "--out", out, "--shard", shard,
                          "--mode", "stereo", "--no-mp3", "--json", "--jobs", "2"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        const json j = json::parse(r.out);
        for (const auto& job : j["jobs"]) {
            EXPECT_EQ(job["status"], "ok");
            EXPECT_NEAR(job["deliverables"][0]["integrated_lufs"].get<double>(), -14.0, 0.3);
            EXPECT_LE(job["deliverables"][0]["true_peak_dbtp"].get<double>(), -1.0);
            EXPECT_TRUE(job["deliverables"][0]["loudness_range_lu"].is_number());
            rendered.insert(job["song"].get<std::string>());
        }
        EXPECT_TRUE(fs::exists(out + "/batch-summary-" + std::string(1, shard[0]) + "-of-2.json"));
    }
    // Sorted: Alpha(0) Bravo(1) Charlie(2): 1/2 takes Alpha and Charlie, 2/2 Bravo; together all three.
    EXPECT_EQ(rendered, (std::set<std::string>{"Alpha", "Bravo", "Charlie"}));

    // The table, and exit 1 when a job failed.
    fs::resize_file(b + "/01_Drums.wav", 100);
    const auto r = test::runCli({"batch", a, b, "--out", out, "--mode", "stereo", "--no-mp3", "--resume"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.out.find("LUFS"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("skipped"), std::string::npos) << r.out; // Alpha was complete
    EXPECT_NE(r.out.find("01_Drums.wav"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("failed"), std::string::npos) << r.err;
    const json summary = json::parse(test::readBytes(out + "/batch-summary.json"));
    EXPECT_EQ(summary["failed"], 1);
    EXPECT_EQ(summary["skipped"], 1);

    EXPECT_EQ(test::runCli({"batch", a, "--out", out, "--shard", "3/2"}).exitCode, 2);
    EXPECT_EQ(test::runCli({"batch", "--out", out}).exitCode, 2);
    EXPECT_EQ(test::runCli({"batch", a, "--out", out, "--jobs", "0"}).exitCode, 2);
    const auto help = test::runCli({"batch", "--help"});
    EXPECT_EQ(help.exitCode, 0);
    for (const char* option : {"--manifest", "--shard", "--resume", "--jobs", "--target-lufs", "--set"})
        EXPECT_NE(help.out.find(option), std::string::npos) << option;
    const auto missing = test::runCli({"batch", "--manifest", dir.file("nope.txt"), "--out", out});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.err.find("nope.txt"), std::string::npos) << missing.err;
}
