#pragma once

#include "core/model/Session.h"
#include "core/render/RenderReport.h"
#include "core/render/Renderer.h"

#include <string>

namespace lathe::core {

// `lathe-cli match SOURCE REFERENCE`: Matchering's job with Lathe's chain. The source is mastered as a
// stereo master whose only processing is the match stage and the true-peak limiter, at the reference's
// loudness when match.loudness is on (else at the source's own, the limiter only holding the ceiling).
struct MatchFileOptions {
    MatchSettings match;     // enabled and reference are set by matchFile
    double ceilingDbtp = -1; // the limiter's
    int bitDepth = 24;       // 16, 24 or 32 (float)
};

struct MatchFileResult {
    MatchReport match;
    // The written master's measurements (integrated loudness, true peak, PLR...); kind "matched" and
    // empty paths when nothing was written.
    DeliverableReport result;
    bool written = false;
};

// The session matchFile renders: exposed so the tests and --json describe exactly what runs. Throws Error
// naming the file when the source cannot be read.
Session matchFileSession(const std::string& source, const std::string& reference,
                         const MatchFileOptions& options);

// Analyses both files (cached), and when outPath is not empty renders the matched master to it: checked
// against the write plan first (never over SOURCE or REFERENCE), rendered under a temporary name beside it
// and renamed when complete. Throws Error naming the file on bad input or a refused output, RenderCancelled.
MatchFileResult matchFile(const std::string& source, const std::string& reference,
                          const MatchFileOptions& options, const std::string& outPath,
                          const RenderControl& control = {});

} // namespace lathe::core
