#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lathe::core {

// One file of a deliverable set (output.deliverables): a container/codec and its word length, rate and
// bitrate. The same list applies to the stereo and the stem master. Field names are the JSON keys.
struct DeliverableSpec {
    std::string format = "wav"; // wav, flac, mp3, opus, vorbis, aac
    int bit_depth = 0;          // wav: 16, 24, 32 (float); flac: 16, 24; 0 = output.bit_depth (PCM only)
    int sample_rate = 0;        // PCM: 0 = output.sample_rate (else the session's); lossy: chosen per codec
    int kbps = 0;               // mp3, opus, aac; 0 = the codec's default (320, 160, 256)
    double quality = -1;        // vorbis 0..10 (-1 = 8)
    std::string name;           // file-name pattern; "" = <song>_<kind>[_<variant>]; see SESSION.md
    friend bool operator==(const DeliverableSpec&, const DeliverableSpec&) = default;
};

bool isLossyFormat(const std::string& format); // mp3, opus, vorbis, aac
// The file extension of a format, with its dot: ".wav", ".flac", ".mp3", ".opus", ".ogg", ".m4a".
std::string deliverableExtension(const std::string& format);

// A lossy spec with its setting filled in where it says 0 / -1: mp3 `mp3Kbps` (the session's
// output.mp3_bitrate_kbps in a render), opus 160, aac 256 kb/s, vorbis quality 8. Other specs unchanged.
DeliverableSpec withCodecDefaults(DeliverableSpec spec, int mp3Kbps = 320);

// "wav[:BITS[:RATE]]", "flac[:BITS[:RATE]]", "mp3[:KBPS]", "opus[:KBPS]", "vorbis[:QUALITY]", "aac[:KBPS]".
// Throws Error("--deliverable", problem) naming what is wrong and what is allowed.
DeliverableSpec parseDeliverableSpec(const std::string& text);
// The SPEC text again (the shortest form that parses back to `spec`, the name pattern aside).
std::string deliverableSpecText(const DeliverableSpec& spec);
// Checks ranges of a spec read from anywhere; returns a problem ("" = fine), e.g. "flac: 32-bit is not
// available (16 or 24)".
std::string deliverableSpecProblem(const DeliverableSpec& spec);

// Named sets: streaming (24/48 WAV, AAC 256, Opus 160, MP3 320), cd (16/44.1 WAV + FLAC), hi-res (24/96
// WAV + FLAC, 24/48 WAV), references (MP3 320, AAC 256). nullopt for an unknown name.
std::optional<std::vector<DeliverableSpec>> deliverablePreset(const std::string& name);
const std::vector<std::string>& deliverablePresetNames();

} // namespace lathe::core
