// Issue 14, class 11: long names. A client folder name as long as the masters' names allow renders (the
// hidden temporaries must not be what runs out of room); one too long for them is refused before anything is
// written, saying so; a path libsndfile cannot take by name is still read; a path the system cannot take is
// reported as too long, naming it, never as "not an audio file".

#include "ClientFolderFixture.h"

#include <gtest/gtest.h>

#include <climits>
#include <fcntl.h>
#include <unistd.h>

using namespace lathe;
using namespace lathe::reliability;

namespace {

// dir/<components...>: nested folders of 250-byte names, made relative to an open folder so the whole path
// may exceed PATH_MAX. Removes them (and the file inside) on destruction.
class DeepFolder {
public:
    DeepFolder(const std::string& base, size_t minimumLength) : base_(base) {
        path_ = base;
        int fd = ::open(base.c_str(), O_RDONLY | O_DIRECTORY);
        for (int i = 0; path_.size() < minimumLength; ++i) {
            const std::string name = std::to_string(i) + std::string(250, 'd');
            ::mkdirat(fd, name.c_str(), 0755);
            const int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY);
            ::close(fd);
            fd = next;
            names_.push_back(name);
            path_ += "/" + name;
        }
        ::close(fd);
    }
    ~DeepFolder() { remove(); }

    const std::string& path() const { return path_; }

    // Writes bytes to <path>/<name> through a folder descriptor (the path may be too long to open).
    void writeFile(const std::string& name, const std::string& bytes) const {
        const int dir = openDeepest();
        const int fd = ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
        ::close(fd);
        ::close(dir);
        files_.push_back(name);
    }

private:
    int openDeepest() const {
        int fd = ::open(base_.c_str(), O_RDONLY | O_DIRECTORY);
        for (const auto& name : names_) {
            const int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY);
            ::close(fd);
            fd = next;
        }
        return fd;
    }
    void remove() {
        // Deepest first: each folder is emptied (its file, then its child folder) through descriptors.
        std::vector<int> fds{::open(base_.c_str(), O_RDONLY | O_DIRECTORY)};
        for (const auto& name : names_)
            fds.push_back(::openat(fds.back(), name.c_str(), O_RDONLY | O_DIRECTORY));
        for (const auto& file : files_)
            ::unlinkat(fds.back(), file.c_str(), 0);
        for (size_t i = names_.size(); i-- > 0;) {
            ::close(fds[i + 1]);
            ::unlinkat(fds[i], names_[i].c_str(), AT_REMOVEDIR);
        }
        ::close(fds[0]);
    }

    std::string base_, path_;
    std::vector<std::string> names_;
    mutable std::vector<std::string> files_;
};

} // namespace

TEST(LongNames, FolderNamesOf225To237CharactersRender) {
    // 237 + "_stereo_master.wav" is 255 bytes, the longest name the file system takes.
    for (size_t length : {225u, 231u, 237u}) {
        SCOPED_TRACE(length);
        test::TempDir dir;
        const std::string name = "Song " + std::string(length - 5, 'x');
        const std::string song = writeClientFolder(dir.path(), name);
        const auto before = folderPicture(song);

        const auto r = test::runCli({"render", song, "--out", dir.file("out"), "--quiet"});

        ASSERT_EQ(r.exitCode, 0) << r.err;
        for (const char* file :
             {"_stereo_master.wav", "_stem_master.wav", "_stereo_master.mp3", "_stem_master.mp3"})
            EXPECT_TRUE(fs::is_regular_file(dir.file("out/" + name + file))) << file;
        EXPECT_EQ(folderPicture(song), before);
    }
}

TEST(LongNames, ASongNameTooLongForItsMastersIsRefusedBeforeWriting) {
    test::TempDir dir;
    const std::string name = std::string(245, 'y'); // "<name>_stereo_master.wav" would be 263 bytes
    const std::string song = writeClientFolder(dir.path(), name);
    const auto before = folderPicture(dir.path());

    const auto r = test::runCli({"render", song, "--out", dir.file("out"), "--quiet", "--no-mp3"});

    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(mentions(r.err, "too long")) << r.err;
    EXPECT_TRUE(mentions(r.err, name + "_stereo_master.wav")) << r.err;
    EXPECT_TRUE(mentions(r.err, "--set song=")) << r.err;
    EXPECT_EQ(folderPicture(dir.path()), before) << "something was written before the refusal";

    const auto renamed = test::runCli(
        {"render", song, "--out", dir.file("out"), "--quiet", "--no-mp3", "--set", "song=Short"});
    ASSERT_EQ(renamed.exitCode, 0) << renamed.err;
    EXPECT_TRUE(fs::is_regular_file(dir.file("out/Short_stem_master.wav")));
}

TEST(LongNames, APathLongerThanLibsndfileTakesByNameIsStillRead) {
    // libsndfile refuses a path over 1,024 bytes by name ("Supplied filename too long"); the system takes
    // 4,095.
    test::TempDir dir;
    const DeepFolder deep(dir.path(), 1100);
    ASSERT_LT(deep.path().size(), 4000u);
    // Written at a short path (the test's own writer is libsndfile by name), then moved down.
    const std::string song = deep.path() + "/Song";
    fs::rename(writeClientFolder(dir.file("staging"), "Song"), song);
    ASSERT_GT((song + "/Song Mix.wav").size(), 1024u);

    const auto analyze = test::runCli({"analyze", song + "/Song Mix.wav", "--json"});
    ASSERT_EQ(analyze.exitCode, 0) << analyze.err << analyze.out;
    const auto j = nlohmann::json::parse(analyze.out);
    EXPECT_EQ(j.at(0).at("frames"), 72000);

    const auto render = test::runCli({"render", song, "--out", dir.file("out"), "--quiet"});
    ASSERT_EQ(render.exitCode, 0) << render.err;
    EXPECT_TRUE(fs::is_regular_file(dir.file("out/Song_stem_master.mp3")));
}

TEST(LongNames, APathLongerThanTheSystemTakesIsReportedAsTooLong) {
    test::TempDir dir;
    const DeepFolder deep(dir.path(), PATH_MAX + 10);
    const std::string mix = deep.path() + "/mix.wav";
    {
        test::TempDir small;
        writeClientFolder(small.path(), "Song");
        deep.writeFile("mix.wav", test::readBytes(small.path() + "/Song/Song Mix.wav"));
    }

    for (const bool json : {false, true}) {
        auto args = std::vector<std::string>{"analyze", mix};
        if (json) args.push_back("--json");
        const auto r = test::runCli(args);
        EXPECT_EQ(r.exitCode, 1) << r.err;
        const std::string text = r.err + r.out;
        EXPECT_TRUE(mentions(text, "path too long"))
            << text.substr(0, 200) << "..." << text.substr(text.size() - 300);
        EXPECT_FALSE(mentions(text, "not an audio file"));
        EXPECT_TRUE(mentions(text, deep.path().substr(deep.path().size() - 200)));
    }
}
