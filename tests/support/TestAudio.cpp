#include "TestAudio.h"

#include <sndfile.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sched.h>
#include <sstream>
#include <stdexcept>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lathe::test {

void writeTestAudio(const std::string& path, const PlanarAudio& audio, int sampleRate, int sfFormat) {
    if (audio.empty()) throw std::runtime_error("writeTestAudio: no channels");
    const int channels = static_cast<int>(audio.size());
    const size_t frames = audio[0].size();
    SF_INFO info{};
    info.samplerate = sampleRate;
    info.channels = channels;
    info.format = sfFormat;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!file) throw std::runtime_error("writeTestAudio: " + path + ": " + sf_strerror(nullptr));
    int pcmBits = 0;
    switch (sfFormat & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
        pcmBits = 8;
        break;
    case SF_FORMAT_PCM_16:
        pcmBits = 16;
        break;
    case SF_FORMAT_PCM_24:
        pcmBits = 24;
        break;
    case SF_FORMAT_PCM_32:
        pcmBits = 32;
        break;
    default:
        break;
    }
    sf_count_t written = 0;
    if (pcmBits > 0) {
        std::vector<int> interleaved(frames * channels);
        const double scale = std::ldexp(1.0, pcmBits - 1);
        const long long maxCode = (1LL << (pcmBits - 1)) - 1;
        for (size_t i = 0; i < frames; ++i)
            for (int c = 0; c < channels; ++c) {
                const long long k = std::clamp(std::llround(audio[c][i] * scale), -maxCode - 1, maxCode);
                interleaved[i * channels + c] = static_cast<int>(static_cast<uint32_t>(k) << (32 - pcmBits));
            }
        written = sf_writef_int(file, interleaved.data(), static_cast<sf_count_t>(frames));
    } else {
        std::vector<float> interleaved(frames * channels);
        for (size_t i = 0; i < frames; ++i)
            for (int c = 0; c < channels; ++c)
                interleaved[i * channels + c] = audio[c][i];
        written = sf_writef_float(file, interleaved.data(), static_cast<sf_count_t>(frames));
    }
    const int closeResult = sf_close(file);
    if (written != static_cast<sf_count_t>(frames) || closeResult != 0)
        throw std::runtime_error("writeTestAudio: short write to " + path);
}

PlanarAudio makeSine(int channels, int64_t frames, double sampleRate, double frequencyHz, double amplitude) {
    PlanarAudio audio(channels, std::vector<float>(static_cast<size_t>(frames)));
    for (int c = 0; c < channels; ++c)
        for (int64_t i = 0; i < frames; ++i)
            audio[c][i] = static_cast<float>(
                amplitude *
                std::sin(2.0 * std::numbers::pi * frequencyHz * i / sampleRate + c * std::numbers::pi / 2));
    return audio;
}

float quantize(double x, int bits) {
    const double scale = std::ldexp(1.0, bits - 1);
    return static_cast<float>(std::clamp(std::round(x * scale), -scale, scale - 1.0) / scale);
}

PlanarAudio readTestAudio(const std::string& path, int* sampleRate) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    if (!file) throw std::runtime_error("readTestAudio: " + path + ": " + sf_strerror(nullptr));
    std::vector<float> interleaved;
    std::vector<float> block(4096 * info.channels);
    sf_count_t got;
    while ((got = sf_readf_float(file, block.data(), 4096)) > 0)
        interleaved.insert(interleaved.end(), block.begin(), block.begin() + got * info.channels);
    sf_close(file);
    if (sampleRate) *sampleRate = info.samplerate;
    const size_t frames = interleaved.size() / info.channels;
    PlanarAudio audio(info.channels, std::vector<float>(frames));
    for (size_t i = 0; i < frames; ++i)
        for (int c = 0; c < info.channels; ++c)
            audio[c][i] = interleaved[i * info.channels + c];
    return audio;
}

namespace {

// FIPS 180-4 SHA-256, byte-oriented; fine for test-sized files.
class Sha256 {
public:
    void update(const unsigned char* data, size_t size) {
        for (size_t i = 0; i < size; ++i) {
            block_[blockSize_++] = data[i];
            if (blockSize_ == 64) {
                compress();
                blockSize_ = 0;
            }
        }
        bitLength_ += 8ull * size;
    }
    std::string hex() {
        const uint64_t bits = bitLength_;
        const unsigned char pad = 0x80, zero = 0;
        update(&pad, 1);
        while (blockSize_ != 56)
            update(&zero, 1);
        unsigned char length[8];
        for (int i = 0; i < 8; ++i)
            length[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
        update(length, 8);
        std::string out;
        char buffer[9];
        for (uint32_t word : state_) {
            std::snprintf(buffer, sizeof buffer, "%08x", word);
            out += buffer;
        }
        return out;
    }

private:
    static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
    void compress() {
        static constexpr std::array<uint32_t, 64> k = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = (uint32_t(block_[4 * i]) << 24) | (uint32_t(block_[4 * i + 1]) << 16) |
                   (uint32_t(block_[4 * i + 2]) << 8) | uint32_t(block_[4 * i + 3]);
        for (int i = 16; i < 64; ++i) {
            const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4], f = state_[5],
                 g = state_[6], h = state_[7];
        for (int i = 0; i < 64; ++i) {
            const uint32_t t1 =
                h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
            const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state_[0] += a;
        state_[1] += b;
        state_[2] += c;
        state_[3] += d;
        state_[4] += e;
        state_[5] += f;
        state_[6] += g;
        state_[7] += h;
    }

    std::array<uint32_t, 8> state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::array<unsigned char, 64> block_{};
    size_t blockSize_ = 0;
    uint64_t bitLength_ = 0;
};

} // namespace

std::string sha256File(const std::string& path) {
    const std::string bytes = readBytes(path);
    Sha256 hash;
    hash.update(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return hash.hex();
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("writeBytes: cannot write " + path);
}

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("readBytes: cannot read " + path);
    std::ostringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

namespace {

bool writeProcFile(const char* path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    out.flush();
    return static_cast<bool>(out);
}

// In the child: get a private mount namespace and mount the tmpfs. Returns "" or why it was impossible.
std::string enterPrivateTmpfs(const std::string& mountDir, size_t bytes, bool readOnly) {
    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    if (uid == 0) {
        if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    } else {
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            return std::string("unshare(CLONE_NEWUSER|CLONE_NEWNS): ") + std::strerror(errno);
        if (!writeProcFile("/proc/self/setgroups", "deny") ||
            !writeProcFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
            !writeProcFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"))
            return "cannot write uid/gid maps";
    }
    // Keep our mounts from propagating back to the host namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return std::string("make / private: ") + std::strerror(errno);
    const std::string options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", mountDir.c_str(), "tmpfs", readOnly ? MS_RDONLY : 0, options.c_str()) != 0)
        return std::string("mount tmpfs: ") + std::strerror(errno);
    return {};
}

} // namespace

IsolatedResult runOnTinyTmpfs(const std::string& mountDir, size_t bytes, bool readOnly,
                              const std::function<std::string()>& scenario) {
    int fds[2];
    if (::pipe(fds) != 0) return {"pipe failed", {}};
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return {"fork failed", {}};
    if (pid == 0) {
        ::close(fds[0]);
        std::string report;
        const std::string setupProblem = enterPrivateTmpfs(mountDir, bytes, readOnly);
        if (!setupProblem.empty()) {
            report = "S" + setupProblem;
        } else {
            try {
                report = "F" + scenario();
            } catch (const std::exception& e) {
                report = std::string("Funexpected exception: ") + e.what();
            } catch (...) {
                report = "Funexpected non-standard exception";
            }
        }
        size_t done = 0;
        while (done < report.size()) {
            const ssize_t n = ::write(fds[1], report.data() + done, report.size() - done);
            if (n <= 0) break;
            done += static_cast<size_t>(n);
        }
        ::_exit(0); // skip atexit handlers and gtest teardown in the child
    }
    ::close(fds[1]);
    std::string report;
    char buffer[512];
    ssize_t n;
    while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0)
        report.append(buffer, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || report.empty())
        return {"isolated child crashed or exited abnormally", {}};
    if (report[0] == 'S') return {{}, report.substr(1)};
    return {report.substr(1), {}};
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lathe-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("TempDir: mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    // Tests may leave read-only directories behind; make them writable so removal works when not root.
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ignored);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ignored))
        if (it->is_directory(ignored))
            std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                         std::filesystem::perm_options::add, ignored);
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add,
                                 ignored);
    std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> TempDir::entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_))
        names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace lathe::test
