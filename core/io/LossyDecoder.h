#pragma once

#include <functional>
#include <string>

namespace lathe::core {

// Decodes a whole lossy file of a DeliverableSpec format the way every codec check hears it: mp3 through
// libsndfile (mpg123), aac, opus and vorbis through libavcodec (LavcDecoder.h, priming and padding trimmed).
// `onFormat` gets the sample rate and channel count before the first block; `sink` gets planar float blocks
// in order. Used by the render's codec check (CodecCheck.h) and the codec round trip (CodecPreview.h), so
// both measure one decode. Not real-time code. Throws Error naming the file.
void decodeLossyFile(const std::string& path, const std::string& format,
                     const std::function<void(int sampleRate, int channels)>& onFormat,
                     const std::function<void(const float* const* planar, int frames)>& sink);

} // namespace lathe::core
