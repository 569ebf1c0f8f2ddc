#include "core/chain/ChainPolicy.h"

#include "core/model/StemToolsJson.h"

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

std::vector<int> stemKeySources(const Session& session) {
    std::vector<int> sources;
    for (const auto& stem : session.stems) {
        const std::string& key = stemKey(stem);
        int source = -1;
        for (std::size_t i = 0; i < session.stems.size(); ++i)
            if (key != "self" && session.stems[i].id == key && &session.stems[i] != &stem)
                source = static_cast<int>(i);
        sources.push_back(source);
    }
    return sources;
}

} // namespace lathe::core
