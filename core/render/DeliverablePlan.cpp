#include "core/render/DeliverablePlan.h"

#include "core/Error.h"
#include "core/model/JsonFields.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace lathe::core {

namespace {

const std::string kSource = "output.deliverables";

int outputRate(const Session& s) {
    return s.output.sample_rate > 0 ? s.output.sample_rate : s.sample_rate;
}

std::string rateText(int rate) {
    return rate % 1000 == 0 ? std::to_string(rate / 1000) : formatNumber(rate / 1000.0);
}

} // namespace

OutputFormat writerFormat(const DeliverableSpec& d) {
    if (d.format == "wav")
        return d.bit_depth == 16   ? OutputFormat::Wav16
               : d.bit_depth == 32 ? OutputFormat::WavFloat
                                   : OutputFormat::Wav24;
    if (d.format == "flac") return d.bit_depth == 16 ? OutputFormat::Flac16 : OutputFormat::Flac24;
    if (d.format == "mp3") return OutputFormat::Mp3;
    if (d.format == "opus") return OutputFormat::Opus;
    if (d.format == "vorbis") return OutputFormat::Vorbis;
    return OutputFormat::Aac;
}

namespace {

std::string expand(std::string pattern, const Session& s, const std::string& kind, const DeliverableSpec& d) {
    const std::pair<std::string, std::string> fields[] = {
        {"{song}", s.song},
        {"{kind}", kind},
        {"{format}", d.format},
        {"{bits}", isLossyFormat(d.format) ? std::string() : std::to_string(d.bit_depth)},
        {"{rate}", rateText(d.sample_rate)},
        {"{kbps}", d.format == "vorbis" ? "q" + formatNumber(d.quality)
                   : d.kbps > 0         ? std::to_string(d.kbps)
                                        : std::string()}};
    for (const auto& [key, value] : fields)
        for (std::size_t at; (at = pattern.find(key)) != std::string::npos;)
            pattern.replace(at, key.size(), value);
    return pattern;
}

} // namespace

bool codecCarriesSampleRate(const std::string& format, int rate) {
    if (format == "mp3") return mp3CarriesSampleRate(rate);
    if (format == "opus") return rate == 48000; // libopus' full band
    if (format == "aac") return aacCarriesSampleRate(rate);
    return rate >= 8000 && rate <= 192000; // vorbis
}

int codecEncodeRate(const std::string& format, int rate) {
    if (codecCarriesSampleRate(format, rate)) return rate;
    return rate % 11025 == 0 && format != "opus" ? 44100 : 48000;
}

bool writesReleaseTags(const Session& s) {
    return s.output.tags || !s.output.deliverables.empty();
}

std::vector<RenderVariant> planVariants(const Session& s, const std::string& kind,
                                        const std::string& outDir) {
    const int rate = outputRate(s);
    const std::string base = s.song + "_" + kind;
    const auto pathOf = [&](const std::string& name) { return (fs::path(outDir) / name).string(); };
    std::vector<RenderVariant> variants;

    if (s.output.deliverables.empty()) {
        RenderVariant v;
        v.sampleRate = rate;
        v.bitDepth = s.output.bit_depth;
        DeliverableSpec wav{"wav", s.output.bit_depth, rate, 0, -1, ""};
        v.pcm.push_back({wav, writerFormat(wav), pathOf(base + ".wav")});
        if (s.output.mp3 && mp3CarriesSampleRate(rate)) {
            DeliverableSpec mp3{"mp3", 0, rate, s.output.mp3_bitrate_kbps, -1, ""};
            v.lossy.push_back({mp3, OutputFormat::Mp3, pathOf(base + ".mp3")});
        }
        variants.push_back(std::move(v));
        return variants;
    }

    // Resolve every spec first (zeros become the session's values), then name the files. A lossy file
    // without a rate is made at the first PCM file's rate its codec carries, so it comes from audio the
    // set already renders.
    std::vector<DeliverableSpec> specs;
    std::vector<int> pcmRates;
    for (DeliverableSpec d : s.output.deliverables) {
        if (!isLossyFormat(d.format)) {
            if (d.bit_depth == 0)
                d.bit_depth = d.format == "flac" && s.output.bit_depth == 32 ? 24 : s.output.bit_depth;
            if (d.sample_rate == 0) d.sample_rate = rate;
            pcmRates.push_back(d.sample_rate);
        }
        specs.push_back(d);
    }
    for (DeliverableSpec& d : specs) {
        if (!isLossyFormat(d.format)) continue;
        d = withCodecDefaults(d, s.output.mp3_bitrate_kbps);
        if (d.sample_rate != 0 && !codecCarriesSampleRate(d.format, d.sample_rate))
            throw Error(kSource, deliverableSpecText(d) + ": " + d.format + " cannot carry " +
                                     std::to_string(d.sample_rate) + " Hz" +
                                     (d.format == "opus" ? " (Opus files are made at 48 kHz)" : ""));
        if (d.sample_rate != 0) continue;
        for (int pcmRate : pcmRates)
            if (d.sample_rate == 0 && codecCarriesSampleRate(d.format, pcmRate)) d.sample_rate = pcmRate;
        if (d.sample_rate == 0) d.sample_rate = codecEncodeRate(d.format, rate);
    }
    std::map<std::string, int> perExtension;
    for (const auto& d : specs)
        ++perExtension[deliverableExtension(d.format)];
    std::set<std::string> names;
    std::vector<PlannedFile> files;
    for (const auto& d : specs) {
        const std::string extension = deliverableExtension(d.format);
        std::string stem = base;
        if (!d.name.empty()) {
            stem = expand(d.name, s, kind, d);
        } else if (perExtension[extension] > 1) {
            if (!isLossyFormat(d.format))
                stem += "_" + std::to_string(d.bit_depth) + "bit_" + rateText(d.sample_rate) + "k";
            else if (d.format == "vorbis")
                stem += "_q" + formatNumber(d.quality);
            else
                stem += "_" + std::to_string(d.kbps) + "k";
        }
        const std::string name = stem + extension;
        if (!names.insert(name).second)
            throw Error(kSource, "two deliverables would both be written as " + name +
                                     "; give one a name pattern (\"name\": \"{song}_{kind}_alt\")");
        files.push_back({d, writerFormat(d), pathOf(name)});
    }
    for (const auto& f : files) {
        if (isLossyFormat(f.spec.format)) continue;
        auto it = std::find_if(variants.begin(), variants.end(), [&](const RenderVariant& v) {
            return v.sampleRate == f.spec.sample_rate && v.bitDepth == f.spec.bit_depth;
        });
        if (it == variants.end()) {
            variants.push_back({f.spec.sample_rate, f.spec.bit_depth, {}, {}});
            it = variants.end() - 1;
        }
        it->pcm.push_back(f);
    }
    for (const auto& f : files) {
        if (!isLossyFormat(f.spec.format)) continue;
        RenderVariant* host = nullptr;
        for (auto& v : variants)
            if (v.sampleRate == f.spec.sample_rate && (!host || v.bitDepth > host->bitDepth)) host = &v;
        if (!host) {
            // Encoded from float: a lossy file needs no dither of its own.
            variants.push_back({f.spec.sample_rate, 32, {}, {}});
            host = &variants.back();
        }
        host->lossy.push_back(f);
    }
    return variants;
}

} // namespace lathe::core
