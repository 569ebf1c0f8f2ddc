#pragma once

#include "core/model/Session.h"

namespace lathe::test {

// Compressor settings that settle within 0.1 s on a steady tone, with a hard knee, so a test can compare a
// chain's output with the static curve (dsp::compressorGainDb).
inline core::CompressorSettings steadyCompressor(double thresholdDb, double ratio,
                                                 const char* detection = "peak") {
    return {.enabled = true,
            .threshold_db = thresholdDb,
            .ratio = ratio,
            .knee_db = 0.0,
            .attack_ms = 5.0,
            .release_ms = 200.0,
            .detection = detection};
}

} // namespace lathe::test
