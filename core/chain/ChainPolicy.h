#pragma once

#include "core/model/Session.h"

#include <vector>

namespace lathe::core {

// Decisions the live engine (core/engine) and the offline render (core/render) must make the same way, so
// what is heard is what gets rendered. Each is written once, here or in the chain classes both run
// (StemChain, MasterChain, LimiterStage), and never repeated on either side.

// The limiter aims this far under the session's ceiling so that dither (at most 1.5 LSB, i.e. < 0.0005 dB at
// 16 bits near -1 dBFS) can never lift a peak over it.
constexpr double kDitherMarginDb = 0.005;

// The ceiling the true-peak limiter runs at: the session's, less kDitherMarginDb.
double limiterCeilingDbtp(const LimiterSettings& limiter);

// Whether any stem is soloed: then only the soloed stems are heard.
bool anyStemSoloed(const Session& session);

// Which stems are heard, in session order: not muted, and soloed when any stem is. A stem silenced by
// another's solo is treated like a muted one (the engine ramps it out; the render does not read it).
std::vector<char> stemAudibility(const Session& session);

// Per stem, in session order: the index of the stem whose source its keyed detectors hear (the sidechain
// key, StemChain.h), or -1 when they hear the stem itself. A muted or unsoloed key stem still keys.
std::vector<int> stemKeySources(const Session& session);

} // namespace lathe::core
