#include "core/render/CodecCheck.h"

#include "core/io/LossyDecoder.h"

#include "dsp/AudioBlock.h"
#include "dsp/LoudnessMeter.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <vector>

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
    decodeLossyFile(
        path, format,
        [&](int rate, int count) {
            channels = count;
            m.prepare(rate, count, kDecodeBlock);
        },
        [&](const float* const* planar, int frames) {
            std::vector<float*> pointers(static_cast<size_t>(channels));
            for (int done = 0; done < frames; done += kDecodeBlock) {
                const int n = std::min(kDecodeBlock, frames - done);
                for (int c = 0; c < channels; ++c)
                    pointers[static_cast<size_t>(c)] = const_cast<float*>(planar[c]) + done;
                dsp::AudioBlock block(pointers.data(), channels, n);
                m.truePeak.process(block);
                m.loudness.process(block);
            }
        });
    DecodedMeasurement d;
    d.truePeakDbtp = m.truePeak.truePeakDbtp();
    d.integratedLufs = m.loudness.integratedLufs();
    return d;
}

} // namespace lathe::core
