#include "core/render/CodecCheck.h"

#include "core/io/LossyDecoder.h"
#include "core/render/ChunkPipe.h"

#include "dsp/AudioBlock.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <optional>

namespace lathe::core {

namespace {

constexpr int kDecodeBlock = 4096;

struct Meters {
    dsp::TruePeakMeter truePeak;
    dsp::LoudnessMeter loudness;
    bool prepared = false;
    void prepare(int rate, int channels, int maxBlock) {
        truePeak.prepare(rate, maxBlock, channels, 8);
        loudness.prepare(rate, maxBlock, channels, dsp::LoudnessMeter::Integrated);
        prepared = true;
    }
};

} // namespace

DecodedMeasurement measureDecoded(const std::string& path, const std::string& format) {
    Meters m;
    int channels = 0;
    const auto measure = [&](float* const* planar, int frames) {
        for (int done = 0; done < frames; done += kDecodeBlock) {
            const int n = std::min(kDecodeBlock, frames - done);
            float* pointers[dsp::AudioBlock::kMaxChannels];
            for (int c = 0; c < channels; ++c)
                pointers[c] = planar[c] + done;
            dsp::AudioBlock block(pointers, channels, n);
            m.truePeak.process(block);
            m.loudness.process(block);
        }
    };
    // A stereo file is measured on a second thread while the next frames decode (the meters cost about as
    // much as the decoder): the same blocks in the same order, so the same figures.
    std::optional<render::ChunkPipe> pipe;
    decodeLossyFile(
        path, format,
        [&](int rate, int count) {
            channels = count;
            m.prepare(rate, count, kDecodeBlock);
            if (count == 2)
                pipe.emplace(true, kDecodeBlock, [&](float* l, float* r, int n) {
                    float* planar[2] = {l, r};
                    measure(planar, n);
                });
        },
        [&](const float* const* planar, int frames) {
            if (!pipe) {
                measure(const_cast<float* const*>(planar), frames);
                return;
            }
            for (int done = 0; done < frames; done += kDecodeBlock)
                pipe->push(const_cast<float*>(planar[0]) + done, const_cast<float*>(planar[1]) + done,
                           std::min(kDecodeBlock, frames - done));
        });
    if (pipe) pipe->finish();
    DecodedMeasurement d;
    d.truePeakDbtp = m.truePeak.truePeakDbtp();
    d.integratedLufs = m.loudness.integratedLufs();
    return d;
}

} // namespace lathe::core
