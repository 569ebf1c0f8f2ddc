#include "core/model/DeliverableSpec.h"

#include "core/Error.h"
#include "core/model/JsonFields.h"
#include "core/text/DecimalNumber.h"

#include <cmath>

namespace lathe::core {

namespace {

const std::string kSource = "--deliverable";

std::vector<std::string> splitColons(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto colon = text.find(':', start);
        parts.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return parts;
}

int wholeField(const std::string& text, const std::string& spec, const char* what) {
    const std::optional<double> v = parseDecimalNumber(text);
    if (!v || std::floor(*v) != *v || std::fabs(*v) > 2e9)
        throw Error(kSource, "\"" + spec + "\": " + what + " must be a whole number, found \"" + text + "\"");
    return static_cast<int>(*v);
}

} // namespace

bool isLossyFormat(const std::string& format) {
    return format == "mp3" || format == "opus" || format == "vorbis" || format == "aac";
}

std::string deliverableExtension(const std::string& format) {
    if (format == "vorbis") return ".ogg";
    if (format == "aac") return ".m4a";
    return "." + format;
}

std::string deliverableSpecProblem(const DeliverableSpec& s) {
    const std::string& f = s.format;
    if (f != "wav" && f != "flac" && !isLossyFormat(f))
        return "unknown format \"" + f + "\"; use wav, flac, mp3, opus, vorbis or aac";
    if (f == "wav" && s.bit_depth != 0 && s.bit_depth != 16 && s.bit_depth != 24 && s.bit_depth != 32)
        return "wav: " + std::to_string(s.bit_depth) + "-bit is not 16, 24 or 32 (float)";
    if (f == "flac" && s.bit_depth != 0 && s.bit_depth != 16 && s.bit_depth != 24)
        return "flac: " + std::to_string(s.bit_depth) + "-bit is not available (16 or 24)";
    if (s.sample_rate != 0 && (s.sample_rate < 8000 || s.sample_rate > 384000))
        return f + ": " + std::to_string(s.sample_rate) + " Hz is out of range (8000 to 384000)";
    if (f == "flac" && s.sample_rate > 655350) return "flac: rate too high";
    if (f == "mp3" && s.kbps != 0 && (s.kbps < 32 || s.kbps > 320))
        return "mp3: " + std::to_string(s.kbps) + " kb/s is out of range (32 to 320)";
    if (f == "opus" && s.kbps != 0 && (s.kbps < 6 || s.kbps > 510))
        return "opus: " + std::to_string(s.kbps) + " kb/s is out of range (6 to 510)";
    if (f == "aac" && s.kbps != 0 && (s.kbps < 32 || s.kbps > 512))
        return "aac: " + std::to_string(s.kbps) + " kb/s is out of range (32 to 512)";
    if (f == "vorbis" && s.quality != -1 && (s.quality < 0 || s.quality > 10))
        return "vorbis: quality " + std::to_string(s.quality) + " is out of range (0 to 10)";
    if (isLossyFormat(f) && s.bit_depth != 0) return f + " has no bit depth";
    return {};
}

DeliverableSpec withCodecDefaults(DeliverableSpec spec, int mp3Kbps) {
    if (spec.format == "mp3" && spec.kbps == 0) spec.kbps = mp3Kbps;
    if (spec.format == "opus" && spec.kbps == 0) spec.kbps = 160;
    if (spec.format == "aac" && spec.kbps == 0) spec.kbps = 256;
    if (spec.format == "vorbis" && spec.quality < 0) spec.quality = 8;
    return spec;
}

DeliverableSpec parseDeliverableSpec(const std::string& text) {
    const std::vector<std::string> parts = splitColons(text);
    DeliverableSpec s;
    s.format = parts[0];
    const bool pcm = s.format == "wav" || s.format == "flac";
    if (!pcm && !isLossyFormat(s.format))
        throw Error(kSource, "\"" + text +
                                 "\": unknown format; use wav[:BITS[:RATE]], flac[:BITS[:RATE]], mp3[:KBPS], "
                                 "opus[:KBPS], vorbis[:QUALITY] or aac[:KBPS]");
    if (parts.size() > (pcm ? 3u : 2u))
        throw Error(kSource, "\"" + text + "\": too many fields; " + s.format +
                                 (pcm                    ? " takes :BITS[:RATE]"
                                  : s.format == "vorbis" ? " takes :QUALITY"
                                                         : " takes :KBPS"));
    for (std::size_t i = 1; i < parts.size(); ++i)
        if (parts[i].empty()) throw Error(kSource, "\"" + text + "\": an empty field");
    if (pcm) {
        if (parts.size() > 1) s.bit_depth = wholeField(parts[1], text, "BITS");
        if (parts.size() > 2) s.sample_rate = wholeField(parts[2], text, "RATE");
    } else if (parts.size() > 1) {
        if (s.format == "vorbis") {
            const std::optional<double> q = parseDecimalNumber(parts[1]);
            if (!q) throw Error(kSource, "\"" + text + "\": QUALITY must be a number from 0 to 10");
            s.quality = *q;
        } else {
            s.kbps = wholeField(parts[1], text, "KBPS");
        }
    }
    if (const std::string problem = deliverableSpecProblem(s); !problem.empty())
        throw Error(kSource, "\"" + text + "\": " + problem);
    return s;
}

std::string deliverableSpecText(const DeliverableSpec& s) {
    std::string text = s.format;
    if (s.format == "wav" || s.format == "flac") {
        if (s.bit_depth != 0 || s.sample_rate != 0) text += ":" + std::to_string(s.bit_depth);
        if (s.sample_rate != 0) text += ":" + std::to_string(s.sample_rate);
    } else if (s.format == "vorbis") {
        if (s.quality != -1) text += ":" + formatNumber(s.quality);
    } else if (s.kbps != 0) {
        text += ":" + std::to_string(s.kbps);
    }
    return text;
}

const std::vector<std::string>& deliverablePresetNames() {
    static const std::vector<std::string> names{"streaming", "cd", "hi-res", "references"};
    return names;
}

std::optional<std::vector<DeliverableSpec>> deliverablePreset(const std::string& name) {
    const auto spec = [](const char* text) { return parseDeliverableSpec(text); };
    // What distributors and streaming platforms take today: a 24-bit master at 48 kHz (or the 44.1 family the
    // session is in is resampled: the rate is explicit so every song of a release ships alike), the lossy
    // formats the platforms stream, and a CD master dithered once to 16 bits.
    if (name == "streaming")
        return std::vector{spec("wav:24:48000"), spec("aac:256"), spec("opus:160"), spec("mp3:320")};
    if (name == "cd") return std::vector{spec("wav:16:44100"), spec("flac:16:44100")};
    if (name == "hi-res")
        return std::vector{spec("wav:24:96000"), spec("flac:24:96000"), spec("wav:24:48000")};
    if (name == "references") return std::vector{spec("mp3:320"), spec("aac:256")};
    return std::nullopt;
}

} // namespace lathe::core
