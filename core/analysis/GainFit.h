#pragma once

#include <cstddef>
#include <vector>

namespace lathe::core {

// Least-squares gains of a few sources against a target: the g minimising sum_i (t_i - sum_k g_k x_k,i)^2,
// from the normal equations (X'X g = X't) accumulated one sample at a time, so a song never has to be held
// as a matrix. Sources with no energy get gain 0 and are left out of the solve.
class GainFit {
public:
    explicit GainFit(std::size_t sources);

    // One sample: the sources' values x[0..sources) and the target's.
    void add(const double* x, double target) {
        const std::size_t n = b_.size();
        for (std::size_t k = 0; k < n; ++k) {
            b_[k] += x[k] * target;
            double* row = &gram_[k * n];
            for (std::size_t j = k; j < n; ++j)
                row[j] += x[k] * x[j];
        }
        targetEnergy_ += target * target;
    }

    struct Result {
        std::vector<double> gains;
        double targetEnergy = 0;
        double residualEnergy = 0; // at the fitted gains
        // The residual with every gain at 1 (the plain sum), for comparison.
        double unityResidualEnergy = 0;
    };
    Result solve() const;

private:
    std::vector<double> gram_; // upper triangle used, row-major
    std::vector<double> b_;
    double targetEnergy_ = 0;
};

} // namespace lathe::core
