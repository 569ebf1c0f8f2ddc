#include "core/analysis/GainFit.h"

#include <algorithm>
#include <cmath>

namespace lathe::core {

GainFit::GainFit(std::size_t sources) : gram_(sources * sources, 0.0), b_(sources, 0.0) {}

GainFit::Result GainFit::solve() const {
    const std::size_t n = b_.size();
    const auto g = [&](std::size_t k, std::size_t j) { return k <= j ? gram_[k * n + j] : gram_[j * n + k]; };
    double trace = 0.0;
    for (std::size_t k = 0; k < n; ++k)
        trace += g(k, k);
    std::vector<std::size_t> used;
    for (std::size_t k = 0; k < n; ++k)
        if (g(k, k) > 1e-12 * std::max(trace, 1e-30)) used.push_back(k);

    // Gaussian elimination with partial pivoting on the used sources. A tiny ridge keeps two identical
    // sources (the same file twice) solvable: they share the gain between them instead of diverging.
    const std::size_t m = used.size();
    std::vector<double> a(m * (m + 1));
    for (std::size_t r = 0; r < m; ++r) {
        for (std::size_t c = 0; c < m; ++c)
            a[r * (m + 1) + c] = g(used[r], used[c]) + (r == c ? 1e-12 * trace : 0.0);
        a[r * (m + 1) + m] = b_[used[r]];
    }
    for (std::size_t col = 0; col < m; ++col) {
        std::size_t pivot = col;
        for (std::size_t r = col + 1; r < m; ++r)
            if (std::abs(a[r * (m + 1) + col]) > std::abs(a[pivot * (m + 1) + col])) pivot = r;
        if (pivot != col)
            for (std::size_t c = 0; c <= m; ++c)
                std::swap(a[col * (m + 1) + c], a[pivot * (m + 1) + c]);
        const double d = a[col * (m + 1) + col];
        if (std::abs(d) < 1e-300) continue;
        for (std::size_t r = col + 1; r < m; ++r) {
            const double f = a[r * (m + 1) + col] / d;
            for (std::size_t c = col; c <= m; ++c)
                a[r * (m + 1) + c] -= f * a[col * (m + 1) + c];
        }
    }
    std::vector<double> x(m, 0.0);
    for (std::size_t r = m; r-- > 0;) {
        double s = a[r * (m + 1) + m];
        for (std::size_t c = r + 1; c < m; ++c)
            s -= a[r * (m + 1) + c] * x[c];
        const double d = a[r * (m + 1) + r];
        x[r] = std::abs(d) > 1e-300 ? s / d : 0.0;
    }

    Result out;
    out.gains.assign(n, 0.0);
    for (std::size_t r = 0; r < m; ++r)
        out.gains[used[r]] = x[r];
    out.targetEnergy = targetEnergy_;
    // |t - Xg|^2 = t't - 2 g'X't + g'X'X g
    const auto residual = [&](const std::vector<double>& gains) {
        double e = targetEnergy_;
        for (std::size_t k = 0; k < n; ++k) {
            e -= 2.0 * gains[k] * b_[k];
            for (std::size_t j = 0; j < n; ++j)
                e += gains[k] * g(k, j) * gains[j];
        }
        return std::max(0.0, e);
    };
    out.residualEnergy = residual(out.gains);
    out.unityResidualEnergy = residual(std::vector<double>(n, 1.0));
    return out;
}

} // namespace lathe::core
