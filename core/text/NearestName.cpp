#include "core/text/NearestName.h"

#include <algorithm>

namespace lathe::core {
namespace {

std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string* best = nullptr;
    std::size_t bestDistance = 0;
    for (const auto& c : candidates) {
        const std::size_t d = editDistance(word, c);
        if (!best || d < bestDistance) {
            best = &c;
            bestDistance = d;
        }
    }
    if (best && bestDistance <= std::max<std::size_t>(2, word.size() / 3))
        return " (did you mean \"" + *best + "\"?)";
    return {};
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string list;
    for (const auto& name : names)
        list += (list.empty() ? "" : ", ") + name;
    return list;
}

} // namespace lathe::core
