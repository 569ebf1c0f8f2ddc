#pragma once

// The code paths the fuzz targets drive, shared with tests/fuzz/FuzzRegressionTest.cpp so a saved crash input
// replays through exactly the same calls without libFuzzer. Each run returns how it ended; a core::Error is a
// clean rejection. Any other exception, a failed invariant (thrown as std::logic_error) or a sanitizer report
// is a bug.

#include "core/Error.h"
#include "core/io/AudioFileReader.h"
#include "core/io/ClientFolder.h"
#include "core/model/Session.h"
#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"
#include "core/model/SessionOverride.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace lathe::fuzz {

enum class Outcome { Accepted, Rejected };

// A private scratch directory for the process, under /dev/shm when there is one (the fuzzers write a file per
// input, and tmpfs keeps that off the disk).
inline const std::filesystem::path& scratchDir() {
    static const std::filesystem::path dir = [] {
        std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
        std::string pattern = base + "/lathe-fuzz-XXXXXX";
        if (!mkdtemp(pattern.data()))
            throw std::runtime_error("cannot create a scratch directory under " + base);
        return std::filesystem::path(pattern);
    }();
    static const bool cleanupRegistered = [] {
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(dir, ignored);
        });
        return true;
    }();
    (void)cleanupRegistered;
    return dir;
}

inline void writeFile(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// The first byte picks the extension (libsndfile sniffs the header, but the scanner and mp3/ogg handling go
// by name); the rest is the file.
inline Outcome runAudioLoader(const uint8_t* data, size_t size) {
    static const char* const kExtensions[] = {".wav", ".aiff", ".flac", ".mp3",
                                              ".ogg", ".wave", ".aif",  ".oga"};
    if (size == 0) return Outcome::Rejected;
    const char* extension = kExtensions[data[0] % std::size(kExtensions)];
    const std::filesystem::path path = scratchDir() / (std::string("input") + extension);
    writeFile(path, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));

    Outcome outcome = Outcome::Accepted;
    try {
        core::AudioFileInfo info = core::probeAudioFile(path.string());
        core::validateSource(info);
        core::AudioFileReader reader(path.string());
        const int channels = reader.info().channels;
        if (channels != info.channels)
            throw std::logic_error("reader and probe disagree on the channel count");
        constexpr int64_t kBlock = 1024;
        std::vector<std::vector<float>> planar(static_cast<size_t>(channels), std::vector<float>(kBlock));
        std::vector<float*> pointers;
        for (auto& channel : planar)
            pointers.push_back(channel.data());
        int64_t total = 0;
        // A probed file is complete, so reading stops at its frame count; the cap only guards the fuzzer's
        // time budget should that promise break.
        const int64_t limit = info.frames < INT64_MAX - kBlock ? info.frames + kBlock : INT64_MAX;
        while (total <= limit) {
            const int64_t got = reader.read(pointers.data(), kBlock);
            if (got < 0 || got > kBlock)
                throw std::logic_error("read returned " + std::to_string(got) + " frames");
            if (got == 0) break;
            total += got;
        }
        if (total > info.frames)
            throw std::logic_error("read " + std::to_string(total) + " frames from a file probed at " +
                                   std::to_string(info.frames));
    } catch (const core::Error&) {
        outcome = Outcome::Rejected;
    }
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return outcome;
}

// Parses the input as a session; a session that loads must survive a toJson/sessionFromJson round trip
// unchanged. Then each line of the input (up to 16) is tried as a --set assignment on a session with stems,
// and an accepted assignment must leave a session that still checks.
inline Outcome runSessionJson(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Outcome outcome = Outcome::Rejected;

    const nlohmann::json json = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (!json.is_discarded()) {
        try {
            const core::Session session = core::sessionFromJson(json, "fuzz.lathe");
            outcome = Outcome::Accepted;
            const core::Session again = core::sessionFromJson(core::toJson(session), "round-trip.lathe");
            if (!(again == session))
                throw std::logic_error("session changed in a toJson/sessionFromJson round trip");
        } catch (const core::Error&) {
        }
    }

    core::FolderScan scan;
    scan.folder = "/music/client";
    scan.songName = "client";
    for (core::StemRole role : {core::StemRole::Drums, core::StemRole::Bass, core::StemRole::Drums}) {
        core::ScannedFile stem;
        stem.path = scan.folder + "/stem" + std::to_string(scan.stems.size()) + ".wav";
        stem.role = role;
        stem.info.sampleRate = 48000;
        stem.info.channels = 2;
        stem.info.frames = 48000;
        scan.stems.push_back(stem);
    }
    core::Session session = core::makeDefaultSession(scan);
    size_t start = 0;
    for (int line = 0; line < 16 && start <= text.size(); ++line) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        try {
            core::applyOverride(session, text.substr(start, end - start));
            outcome = Outcome::Accepted;
            core::sessionFromJson(core::toJson(session), "after-set.lathe"); // must not throw
        } catch (const core::Error& e) {
            if (std::string_view(e.path()) == "after-set.lathe")
                throw std::logic_error(std::string("--set accepted a value the session check refuses: ") +
                                       e.what());
        }
        start = end + 1;
    }
    return outcome;
}

// Keeps a fuzzed relative path inside the scratch tree: components are sanitised, "." and ".." dropped, at
// most 6 levels (two beyond the scan depth) and 64 bytes a name.
inline std::filesystem::path sanitisedRelativePath(std::string_view raw) {
    std::filesystem::path result;
    int levels = 0;
    size_t start = 0;
    while (start <= raw.size() && levels < 6) {
        size_t end = raw.find('/', start);
        if (end == std::string_view::npos) end = raw.size();
        std::string name;
        for (char c : raw.substr(start, std::min<size_t>(end - start, 64)))
            if (c != '\0') name += c;
        if (!name.empty() && name != "." && name != "..") {
            result /= name;
            ++levels;
        }
        start = end + 1;
    }
    return result;
}

// The input is a list of entries separated by "\n==\n". An entry's first line is a relative path and the rest
// is the file's contents; a path ending in '/' is a directory, and contents starting with "@link " make a
// symlink to the (sanitised, in-tree, possibly dangling) path that follows. Up to 24 entries.
inline Outcome runFolderScan(const uint8_t* data, size_t size) {
    namespace fs = std::filesystem;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const fs::path root = scratchDir() / "client";
    std::error_code ec;
    fs::remove_all(root, ec);
    fs::create_directories(root);

    size_t start = 0;
    for (int entry = 0; entry < 24 && start < text.size(); ++entry) {
        size_t end = text.find("\n==\n", start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view chunk = text.substr(start, end - start);
        start = end + 4;

        const size_t newline = chunk.find('\n');
        const std::string_view rawPath = chunk.substr(0, newline);
        const std::string_view contents =
            newline == std::string_view::npos ? std::string_view() : chunk.substr(newline + 1);
        const fs::path relative = sanitisedRelativePath(rawPath);
        if (relative.empty()) continue;
        const fs::path target = root / relative;
        fs::create_directories(target.parent_path(), ec);
        if (ec) continue; // a file already sits where a directory is wanted
        if (rawPath.back() == '/') {
            fs::create_directories(target, ec);
        } else if (contents.substr(0, 6) == "@link ") {
            const fs::path linkTarget = sanitisedRelativePath(contents.substr(6, contents.find('\n', 6) - 6));
            fs::create_symlink(root / linkTarget, target, ec);
        } else if (!fs::exists(fs::symlink_status(target))) {
            // Not writeFile: a path the tree makes unwritable (a parent that is a symlink to a file) is
            // skipped.
            std::ofstream out(target, std::ios::binary);
            out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
        }
    }

    Outcome outcome = Outcome::Accepted;
    try {
        const core::FolderScan scan = core::scanClientFolder(root.string());
        (void)core::toJson(scan).dump();
        if (!scan.stems.empty() || scan.mix) (void)core::makeDefaultSession(scan);
    } catch (const core::Error&) {
        outcome = Outcome::Rejected;
    }
    fs::remove_all(root, ec);
    return outcome;
}

} // namespace lathe::fuzz
