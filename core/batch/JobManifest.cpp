#include "core/batch/JobManifest.h"

#include "core/Error.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace lathe::core {
namespace fs = std::filesystem;

namespace {

std::string_view trim(std::string_view s) {
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; };
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

bool validUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
        if (extra < 0 || s.size() - i <= static_cast<size_t>(extra)) return false;
        for (int k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += extra + 1;
    }
    return true;
}

std::optional<int> parseInt(std::string_view s) {
    int value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

} // namespace

std::vector<std::string> parseJobManifest(std::string_view text, const std::string& baseDir,
                                          const std::string& sourceName) {
    std::vector<std::string> inputs;
    // Windows editors (Notepad) start UTF-8 text with a byte order mark; it is not part of the first path.
    constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
    if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
    // Read as UTF-8, UTF-16 would only be called a NUL byte on line 1.
    if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF"))
        throw Error(sourceName,
                    "the manifest is UTF-16 text; save it as UTF-8 (plain text), one path per line");
    int lineNumber = 0;
    while (!text.empty()) {
        const size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        ++lineNumber;
        const std::string where = sourceName + ":" + std::to_string(lineNumber);
        if (line.find('\0') != std::string_view::npos)
            throw Error(where, "the line holds a NUL byte: a manifest is plain text, one path per line");
        if (!validUtf8(line)) throw Error(where, "the line is not valid UTF-8 text");
        line = trim(line);
        if (line.empty() || line.front() == '#') continue;
        fs::path path{std::string(line)};
        if (path.is_relative() && !baseDir.empty()) path = fs::path(baseDir) / path;
        inputs.push_back(path.lexically_normal().string());
    }
    return inputs;
}

std::vector<std::string> readJobManifest(const std::string& manifestPath) {
    std::error_code ec;
    if (!fs::exists(manifestPath, ec)) throw Error(manifestPath, "this manifest file does not exist");
    if (fs::is_directory(manifestPath, ec))
        throw Error(manifestPath, "this is a folder, not a manifest file (one path per line)");
    std::ifstream in(manifestPath, std::ios::binary);
    if (!in) throw Error(manifestPath, "cannot open this manifest file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw Error(manifestPath, "cannot read this manifest file");
    const std::string base = fs::absolute(fs::path(manifestPath), ec).parent_path().string();
    return parseJobManifest(text.str(), base, manifestPath);
}

Shard parseShard(std::string_view text) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos)
        throw Error("--shard", "expected K/N (e.g. 2/8 for the second of eight machines), found \"" +
                                   std::string(text) + "\"");
    const auto k = parseInt(text.substr(0, slash));
    const auto n = parseInt(text.substr(slash + 1));
    if (!k || !n)
        throw Error("--shard", "expected two whole numbers K/N, found \"" + std::string(text) + "\"");
    if (*n < 1 || *n > 100000)
        throw Error("--shard", "N must be between 1 and 100000, found " + std::to_string(*n));
    if (*k < 1 || *k > *n)
        throw Error("--shard",
                    "K must be between 1 and N (" + std::to_string(*n) + "), found " + std::to_string(*k));
    return Shard{*k, *n};
}

} // namespace lathe::core
