#pragma once

#include <string>

namespace lathe::core {

// A lossy file decoded and measured: the codec check. Encoders add overshoot (MP3 and AAC ringing at the
// band limit, Opus' resampling), so a master that meets its ceiling can exceed it once encoded.
struct DecodedMeasurement {
    double truePeakDbtp = 0; // 8x oversampled, like the masters
    double integratedLufs = 0;
};

// `format` is a DeliverableSpec format: mp3 through libsndfile (as renders before deliverable sets measured
// it), opus, vorbis and aac through libavcodec's decoders. Throws Error naming the file.
DecodedMeasurement measureDecoded(const std::string& path, const std::string& format);

} // namespace lathe::core
