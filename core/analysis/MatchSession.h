#pragma once

#include "core/model/Session.h"

#include "dsp/MatchAnalysis.h"
#include "dsp/MatchCurve.h"
#include "dsp/MatchFilter.h"

#include <string>

namespace lathe::core {

// A session's match (master.match) made concrete for one master: the analyses of its input and of the
// reference, and the curve between them. The render and the engine both plan through here, so they match to
// the same curve and the same loudness target. Nothing here is RT safe: it reads files (through the analysis
// cache, core/analysis/MatchCache.h) and allocates.

// The match stage's partition: the engine's is small so a callback never waits long for one (512 frames:
// 32 partitions of a 16383-tap FIR, ~2 % of a core at 48 kHz for both masters); the render's is large,
// several times cheaper per sample. Each side compensates its own latency (MasterChain reports it).
constexpr int kEngineMatchPartition = 512;
constexpr int kRenderMatchPartition = 4096;

// master.match.reference, else the session's reference; "" when neither.
std::string matchReferencePath(const Session& session);
// Matching is on and has a reference to match to.
bool matchActive(const Session& session);

// The reference's analysis over master.match's range, at the session rate (cached). Throws Error naming
// the file when it cannot be read, or when the range starts past its end.
dsp::MatchAnalysis analyzeMatchReference(const Session& session);
// The analysis of what enters the master chain: the mix, or the stems' sum after their chains (cached by the
// stems' content and settings). Throws Error naming the file when a source cannot be read.
dsp::MatchAnalysis analyzeMasterInput(const Session& session, bool stemMaster);
// Any stereo file at `sampleRate` from startSeconds to endSeconds (0 = its end), cached. Throws Error.
dsp::MatchAnalysis analyzeFileForMatch(const std::string& path, int sampleRate, double startSeconds = 0,
                                       double endSeconds = 0);

// The parts and amounts of master.match as the curve's settings (a part turned off is an amount of 0).
dsp::MatchCurveSettings matchCurveSettings(const MatchSettings& match);

struct MasterMatch {
    bool active = false;
    std::string referencePath;
    dsp::MatchAnalysis source, reference;
    dsp::MatchCurve curve;
};
// Empty (inactive) when matchActive() is false.
MasterMatch planMasterMatch(const Session& session, bool stemMaster);
// The match stage's FIRs for a plan: linear phase, flat (a pure delay) for an inactive plan.
dsp::MatchFirs matchFirs(const MasterMatch& plan, double sampleRate);

// The loudness target a match sets: with match.loudness on, the reference's integrated loudness (of the
// range) replaces loudness.target_lufs, and normalising is on; the loudness search then reaches it with the
// session's limiter, never above its ceiling. Otherwise the session unchanged. renderSession and
// findLoudnessGain apply it, so the render and the engine aim at the same target.
Session withMatchedLoudness(const Session& session);

} // namespace lathe::core
