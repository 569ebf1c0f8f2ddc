#pragma once

// A small client folder for the output-safety tests, and a strict picture of a folder to prove a hostile
// command left it exactly as it was. Header-only so it adds no support library to the reliability module.

#include "support/CliRunner.h"
#include "support/TestAudio.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace lathe::reliability {

namespace fs = std::filesystem;

// Every entry under dir (symlinks not followed): its relative path, type, inode and size, a symlink's target
// and a file's checksum (test::folderChecksums). Equal pictures mean no file was added, removed, replaced
// (a rename changes the inode) or rewritten.
inline std::vector<std::string> folderPicture(const std::string& dir) {
    std::vector<std::string> picture;
    std::map<std::string, unsigned long long> sums;
    for (const auto& [path, sum] : test::folderChecksums(dir))
        sums[path] = sum;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string path = it->path().string();
        struct stat st {};
        ::lstat(path.c_str(), &st);
        std::string line = fs::relative(it->path(), dir).string();
        if (S_ISLNK(st.st_mode))
            line += " link -> " + fs::read_symlink(it->path()).string();
        else if (S_ISDIR(st.st_mode))
            line += " dir";
        else
            line += " file ino " + std::to_string(st.st_ino) + " size " + std::to_string(st.st_size) +
                    " sum " + std::to_string(sums[path]);
        picture.push_back(line);
    }
    std::sort(picture.begin(), picture.end());
    return picture;
}

// "<root>/<name>/": the mix "<name> Mix.wav" and three stems (1.5 s, 48 kHz, 24-bit), the mix their sum.
inline std::string writeClientFolder(const std::string& root, const std::string& name = "Song") {
    const std::string folder = root + "/" + name;
    fs::create_directories(folder);
    constexpr int64_t kFrames = 72000;
    const std::vector<std::pair<std::string, double>> stems = {
        {"01_Drums.wav", 110.0}, {"03_Music.wav", 440.0}, {"04_Lead_Vocal.wav", 1250.0}};
    test::PlanarAudio mix(2, std::vector<float>(kFrames, 0.0f));
    for (const auto& [file, hz] : stems) {
        test::PlanarAudio audio = test::makeSine(2, kFrames, 48000, hz, 0.12);
        for (auto& channel : audio)
            for (float& x : channel)
                x = test::quantize(x, 24);
        for (int c = 0; c < 2; ++c)
            for (int64_t i = 0; i < kFrames; ++i)
                mix[c][i] += audio[c][i];
        test::writeTestAudio(folder + "/" + file, audio, 48000,
                             SF_FORMAT_WAV | SF_FORMAT_PCM_24); // WAV, PCM 24
    }
    test::writeTestAudio(folder + "/" + name + " Mix.wav", mix, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    return folder;
}

// A session for folder written by the real `session new`, then edited by `edit` (the JSON object).
template <typename Edit>
std::string writeSession(const std::string& folder, const std::string& path, Edit edit) {
    const test::CliResult r = test::runCli({"session", "new", folder, "-o", path});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::ifstream in(path);
    nlohmann::json j = nlohmann::json::parse(in);
    edit(j);
    std::ofstream(path) << j.dump(2);
    return path;
}

inline bool mentions(const std::string& text, const std::string& what) {
    return text.find(what) != std::string::npos;
}

} // namespace lathe::reliability
