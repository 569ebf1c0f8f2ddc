#include "core/io/AtomicFile.h"
#include "core/Error.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <sys/stat.h>
#include <thread>

using namespace lathe;

TEST(AtomicFile, CreatesFileWithExactContentsAndNoLeftovers) {
    test::TempDir dir;
    const std::string path = dir.file("session.json");
    std::string contents = "{\"version\": 1}\n";
    contents.push_back('\0'); // binary-safe: string_view length, not C-string
    contents += "tail";
    core::writeFileAtomically(path, contents);
    EXPECT_EQ(test::readBytes(path), contents);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"session.json"});
}

TEST(AtomicFile, ReplacesContentsAndKeepsPermissions) {
    test::TempDir dir;
    const std::string path = dir.file("session.json");
    test::writeBytes(path, std::string(10000, 'o'));
    ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
    core::writeFileAtomically(path, "new");
    EXPECT_EQ(test::readBytes(path), "new");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"session.json"});
}

TEST(AtomicFile, ConcurrentReaderNeverSeesAMix) {
    // A reader polling the file (say the GUI reloading a session) must see one whole version or the other.
    test::TempDir dir;
    const std::string path = dir.file("session.json");
    const std::string versionA(200000, 'A');
    const std::string versionB(150000, 'B');
    core::writeFileAtomically(path, versionA);
    std::atomic<bool> done{false};
    std::atomic<int> torn{0}, reads{0};
    std::thread reader([&] {
        while (!done.load()) {
            const std::string seen = test::readBytes(path);
            if (seen != versionA && seen != versionB) ++torn;
            ++reads;
        }
    });
    for (int i = 0; i < 200; ++i)
        core::writeFileAtomically(path, i % 2 ? versionA : versionB);
    done = true;
    reader.join();
    EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
    EXPECT_GT(reads.load(), 0);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"session.json"});
}

TEST(AtomicFile, FailureNamesThePathAndLeavesOldContent) {
    test::TempDir dir;
    test::writeBytes(dir.file("notes"), "x");
    const std::string underFile = dir.file("notes/session.json");
    try {
        core::writeFileAtomically(underFile, "data");
        ADD_FAILURE() << "wrote under a regular file";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.path(), underFile);
        EXPECT_NE(std::string(e.what()).find(underFile), std::string::npos);
    }
}

TEST(AtomicFile, DiskFullLeavesOldContentAndNoTemp) {
    test::TempDir dir;
    const std::string folder = dir.file("small_disk");
    std::filesystem::create_directory(folder);
    const test::IsolatedResult result = test::runOnTinyTmpfs(folder, 64 * 1024, false, [&]() -> std::string {
        const std::string path = folder + "/session.json";
        core::writeFileAtomically(path, "old session");
        try {
            core::writeFileAtomically(path, std::string(200 * 1024, 'n'));
            return "200 kB fitted on a 64 kB disk";
        } catch (const core::Error& e) {
            const std::string message = e.what();
            if (e.path() != path || message.find("disk full") == std::string::npos)
                return "unclear error: " + message;
        }
        if (test::readBytes(path) != "old session") return "old content lost";
        int entries = 0;
        for (const auto& entry : std::filesystem::directory_iterator(folder)) {
            (void)entry;
            ++entries;
        }
        return entries == 1 ? std::string() : "temporary file left behind";
    });
    if (!result.skipReason.empty()) GTEST_SKIP() << "cannot mount a private tmpfs: " << result.skipReason;
    EXPECT_EQ(result.failure, "");
}

TEST(AtomicFile, ReadOnlyDiskIsAnError) {
    test::TempDir dir;
    const std::string folder = dir.file("ro");
    std::filesystem::create_directory(folder);
    const test::IsolatedResult result = test::runOnTinyTmpfs(folder, 64 * 1024, true, [&]() -> std::string {
        try {
            core::writeFileAtomically(folder + "/session.json", "x");
            return "wrote to a read-only disk";
        } catch (const core::Error& e) {
            const std::string message = e.what();
            return message.find("read-only") != std::string::npos ? std::string()
                                                                  : "unclear error: " + message;
        }
    });
    if (!result.skipReason.empty()) GTEST_SKIP() << "cannot mount a private tmpfs: " << result.skipReason;
    EXPECT_EQ(result.failure, "");
}

// The checksum helper other core tests use to prove sources are untouched: FIPS 180-2 test vectors.
TEST(TestSupport, Sha256MatchesPublishedVectors) {
    test::TempDir dir;
    const std::string path = dir.file("v");
    test::writeBytes(path, "");
    EXPECT_EQ(test::sha256File(path), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    test::writeBytes(path, "abc");
    EXPECT_EQ(test::sha256File(path), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    test::writeBytes(path, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
    EXPECT_EQ(test::sha256File(path), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    test::writeBytes(path, std::string(1000000, 'a'));
    EXPECT_EQ(test::sha256File(path), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
