#include "core/chain/ChainPolicy.h"

#include <algorithm>

namespace lathe::core {

double limiterCeilingDbtp(const LimiterSettings& limiter) {
    return limiter.ceiling_dbtp - kDitherMarginDb;
}

bool anyStemSoloed(const Session& session) {
    return std::any_of(session.stems.begin(), session.stems.end(), [](auto& stem) { return stem.solo; });
}

std::vector<char> stemAudibility(const Session& session) {
    const bool anySolo = anyStemSoloed(session);
    std::vector<char> audible;
    for (const auto& stem : session.stems)
        audible.push_back(!stem.mute && (!anySolo || stem.solo));
    return audible;
}

} // namespace lathe::core
