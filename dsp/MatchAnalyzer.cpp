#include "MatchAnalyzer.h"

#include "FftwPlanner.h"
#include "FrequencyCurve.h"

#include <fftw3.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <iterator>
#include <new>
#include <numbers>

namespace lathe::dsp {

namespace {

constexpr double kAbsoluteGateLufs = -70.0; // BS.1770's absolute gate: below it a window is silence
constexpr double kBucketLu = 0.5;
constexpr int kBands = static_cast<int>(std::size(MatchAnalyzer::kWidthBandEdgesHz)) - 1;

// Smoothing width in octaves: 1/6 up to 10 kHz, then widening linearly in log frequency to 1/3 at 20 kHz.
double smoothingOctaves(double hz) {
    if (hz <= 10000.0) return 1.0 / 6.0;
    return 1.0 / 6.0 + (1.0 / 3.0 - 1.0 / 6.0) * std::min(1.0, std::log2(hz / 10000.0));
}

int64_t floorDiv(int64_t a, int64_t b) {
    const int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

} // namespace

struct MatchAnalyzer::Fft {
    explicit Fft(int n) {
        input = fftwf_alloc_real(static_cast<std::size_t>(n));
        output = fftwf_alloc_complex(static_cast<std::size_t>(n / 2 + 1));
        if (!input || !output) {
            fftwf_free(input);
            fftwf_free(output);
            throw std::bad_alloc();
        }
        std::lock_guard lock(fftwPlannerMutex());
        // ESTIMATE: a power-of-two r2c plan is near optimal without timing candidates, and MEASURE at 16384
        // would cost more than analysing a short file.
        plan = fftwf_plan_dft_r2c_1d(n, input, output, FFTW_ESTIMATE);
    }
    ~Fft() {
        {
            std::lock_guard lock(fftwPlannerMutex());
            fftwf_destroy_plan(plan);
        }
        fftwf_free(input);
        fftwf_free(output);
    }
    Fft(const Fft&) = delete;
    Fft& operator=(const Fft&) = delete;

    float* input = nullptr;
    fftwf_complex* output = nullptr;
    fftwf_plan plan = nullptr;
};

// The loud-passage sums of every window whose loudness fell in one 0.5 LU bucket.
struct MatchAnalyzer::Bucket {
    int64_t index = 0;
    bool used = false;
    double spectralFrames = 0.0;
    double seconds = 0.0;
    double meanSquare = 0.0;       // sum over frames of the frame's (windowed) mean square of mid + side
    std::vector<double> mid, side; // sum over frames of the smoothed density on the grid
    double bandMid[kBands] = {};
    double bandSide[kBands] = {};

    void clear() {
        used = false;
        spectralFrames = seconds = meanSquare = 0.0;
        std::fill(mid.begin(), mid.end(), 0.0);
        std::fill(side.begin(), side.end(), 0.0);
        std::fill(std::begin(bandMid), std::end(bandMid), 0.0);
        std::fill(std::begin(bandSide), std::end(bandSide), 0.0);
    }
};

int MatchAnalyzer::fftSizeFor(double sampleRate) {
    const int octavesAbove48k = static_cast<int>(std::lround(std::log2(sampleRate / 48000.0)));
    return std::clamp(16384 << std::max(0, octavesAbove48k) >> std::max(0, -octavesAbove48k), 1024, 131072);
}

std::vector<double> MatchAnalyzer::frequencyGrid() {
    return logFrequencyGrid(kGridLowHz, kGridHighHz, kGridPointsPerOctave);
}

MatchAnalyzer::MatchAnalyzer() = default;
MatchAnalyzer::~MatchAnalyzer() = default;
MatchAnalyzer::MatchAnalyzer(MatchAnalyzer&&) noexcept = default;
MatchAnalyzer& MatchAnalyzer::operator=(MatchAnalyzer&&) noexcept = default;

void MatchAnalyzer::prepare(double sampleRate, int maxBlockFrames, const Settings& settings) {
    settings_ = settings;
    sampleRate_ = sampleRate;
    const int n = fftSizeFor(sampleRate);
    if (!fft_ || n != fftSize_) {
        fft_.reset();
        fft_ = std::make_unique<Fft>(n);
        fftSize_ = n;
    }
    hop_ = fftSize_ / 4;
    const auto size = static_cast<std::size_t>(fftSize_);
    const std::size_t bins = size / 2 + 1;
    window_.resize(size);
    // Periodic Hann: its square sums to a constant at a hop of a quarter (3/8 per sample per frame).
    for (std::size_t i = 0; i < size; ++i)
        window_[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) /
                                                             static_cast<double>(size)));
    windowEnergy_ = 0.0;
    for (float w : window_)
        windowEnergy_ += static_cast<double>(w) * w;
    midHistory_.assign(size, 0.0f);
    sideHistory_.assign(size, 0.0f);
    windowMid_.assign(bins, 0.0);
    windowSide_.assign(bins, 0.0);
    prefix_.assign(bins, 0.0);

    grid_ = frequencyGrid();
    const double binHz = sampleRate_ / fftSize_;
    gridLowBin_.resize(grid_.size());
    gridHighBin_.resize(grid_.size());
    for (std::size_t i = 0; i < grid_.size(); ++i) {
        const double half = smoothingOctaves(grid_[i]) / 2.0;
        if (grid_[i] >= sampleRate_ / 2.0) {
            gridLowBin_[i] = gridHighBin_[i] = -1.0; // no data at or above Nyquist
            continue;
        }
        const double top = static_cast<double>(bins - 1);
        gridLowBin_[i] = std::min(grid_[i] * std::exp2(-half) / binHz, top);
        gridHighBin_[i] = std::min(grid_[i] * std::exp2(half) / binHz, top);
    }
    gridMid_.assign(grid_.size(), 0.0);
    gridSide_.assign(grid_.size(), 0.0);

    loudness_.prepare(sampleRate);
    windowSegments_ = std::max(1, static_cast<int>(std::lround(settings_.gateWindowSeconds * 10.0)));
    windowFrames_ = static_cast<int64_t>(windowSegments_) * loudness_.segmentFrames();
    truePeak_.prepare(sampleRate, maxBlockFrames, 2, 8);

    buckets_.resize(static_cast<std::size_t>(std::ceil(settings_.gateLu / kBucketLu)) + 3);
    for (auto& b : buckets_) {
        b.mid.assign(grid_.size(), 0.0);
        b.side.assign(grid_.size(), 0.0);
    }
    reset();
}

void MatchAnalyzer::reset() {
    std::fill(midHistory_.begin(), midHistory_.end(), 0.0f);
    std::fill(sideHistory_.begin(), sideHistory_.end(), 0.0f);
    writeIndex_ = 0;
    samplesUntilFrame_ = fftSize_;
    framesProcessed_ = 0;
    spectralFrames_ = 0;
    openWindow_ = -1;
    openWindowFrames_ = 0;
    std::fill(windowMid_.begin(), windowMid_.end(), 0.0);
    std::fill(windowSide_.begin(), windowSide_.end(), 0.0);
    for (auto& b : buckets_)
        b.clear();
    topBucket_ = 0;
    anyWindow_ = false;
    loudestWindowLufs_ = kSilenceDb;
    loudness_.reset();
    truePeak_.reset();
    samplePeak_ = 0.0f;
}

void MatchAnalyzer::process(const AudioBlock& block) {
    if (block.numChannels() == 0) return;
    process(block.channel(0), block.channel(block.numChannels() > 1 ? 1 : 0), block.numFrames());
}

void MatchAnalyzer::process(const float* left, const float* right, int frames) {
    assert(fft_);
    if (frames <= 0) return;
    // Meters first, on the whole block: a window is closed only once a later frame completes, by when its
    // loudness segments are all in.
    loudness_.process(left, right, frames);
    float* channels[2] = {const_cast<float*>(left), const_cast<float*>(right)}; // read only
    truePeak_.process(AudioBlock(channels, left == right ? 1 : 2, frames));
    float peak = samplePeak_;
    for (int i = 0; i < frames; ++i)
        peak = std::max(peak, std::max(std::abs(left[i]), std::abs(right[i])));
    samplePeak_ = peak;

    const int mask = fftSize_ - 1;
    int done = 0;
    while (done < frames) {
        const int n = std::min(frames - done, samplesUntilFrame_);
        for (int i = done; i < done + n; ++i) {
            midHistory_[static_cast<std::size_t>(writeIndex_)] = 0.5f * (left[i] + right[i]);
            sideHistory_[static_cast<std::size_t>(writeIndex_)] = 0.5f * (left[i] - right[i]);
            writeIndex_ = (writeIndex_ + 1) & mask;
        }
        done += n;
        framesProcessed_ += n;
        samplesUntilFrame_ -= n;
        if (samplesUntilFrame_ == 0) {
            computeFrame();
            samplesUntilFrame_ = hop_;
        }
    }
}

void MatchAnalyzer::computeFrame() {
    const int n = fftSize_;
    const int64_t centre = framesProcessed_ - n / 2;
    const int64_t window = centre / windowFrames_;
    if (window != openWindow_) {
        closeWindow();
        openWindow_ = window;
    }
    const int tail = n - writeIndex_; // writeIndex_ is the oldest sample
    for (int pass = 0; pass < 2; ++pass) {
        const std::vector<float>& history = pass == 0 ? midHistory_ : sideHistory_;
        std::vector<double>& sums = pass == 0 ? windowMid_ : windowSide_;
        float* in = fft_->input;
        for (int i = 0; i < tail; ++i)
            in[i] = history[static_cast<std::size_t>(writeIndex_ + i)] * window_[static_cast<std::size_t>(i)];
        for (int i = tail; i < n; ++i)
            in[i] = history[static_cast<std::size_t>(i - tail)] * window_[static_cast<std::size_t>(i)];
        fftwf_execute(fft_->plan);
        const fftwf_complex* out = fft_->output;
        for (std::size_t k = 0, bins = sums.size(); k < bins; ++k) {
            const double re = out[k][0], im = out[k][1];
            sums[k] += re * re + im * im;
        }
    }
    ++openWindowFrames_;
    ++spectralFrames_;
}

void MatchAnalyzer::closeWindow() {
    if (openWindow_ < 0 || openWindowFrames_ == 0) {
        openWindowFrames_ = 0;
        return;
    }
    const auto first = static_cast<std::size_t>(openWindow_) * static_cast<std::size_t>(windowSegments_);
    const double lufs = loudness_.windowLufs(first, static_cast<std::size_t>(windowSegments_));
    if (lufs >= kAbsoluteGateLufs) addToBucket(lufs);
    std::fill(windowMid_.begin(), windowMid_.end(), 0.0);
    std::fill(windowSide_.begin(), windowSide_.end(), 0.0);
    openWindowFrames_ = 0;
}

void MatchAnalyzer::addToBucket(double lufs) {
    const auto count = static_cast<int64_t>(buckets_.size());
    const int64_t index = static_cast<int64_t>(std::floor(lufs / kBucketLu));
    if (!anyWindow_) {
        topBucket_ = index;
        anyWindow_ = true;
    } else if (index > topBucket_) {
        // The buckets that fall more than the ring below the new top can never pass the gate: their slots are
        // reused for the new top's neighbours.
        for (int64_t i = topBucket_ + 1; i <= index && i <= topBucket_ + count; ++i)
            buckets_[static_cast<std::size_t>(i - floorDiv(i, count) * count)].clear();
        topBucket_ = index;
    }
    loudestWindowLufs_ = std::max(loudestWindowLufs_, lufs);
    if (index <= topBucket_ - count) return;
    Bucket& b = buckets_[static_cast<std::size_t>(index - floorDiv(index, count) * count)];
    assert(!b.used || b.index == index);
    b.used = true;
    b.index = index;

    // |X|^2 to single-sided density: 2 |X|^2 / (fs * sum w^2), the DC and Nyquist bins once.
    const double scale = 2.0 / (sampleRate_ * windowEnergy_);
    const std::size_t bins = windowMid_.size();
    for (std::size_t k = 0; k < bins; ++k) {
        const double s = (k == 0 || k == bins - 1) ? scale / 2.0 : scale;
        windowMid_[k] *= s;
        windowSide_[k] *= s;
    }

    const double binHz = sampleRate_ / fftSize_;
    double meanSquare = 0.0;
    for (std::size_t k = 0; k < bins; ++k)
        meanSquare += (windowMid_[k] + windowSide_[k]) * binHz;
    b.meanSquare += meanSquare;
    for (int band = 0; band < kBands; ++band) {
        const double lo = kWidthBandEdgesHz[band], hi = kWidthBandEdgesHz[band + 1];
        const auto firstBin = static_cast<std::size_t>(std::ceil(lo / binHz));
        const auto endBin = std::min(bins, static_cast<std::size_t>(std::ceil(hi / binHz)));
        for (std::size_t k = firstBin; k < endBin; ++k) {
            b.bandMid[band] += windowMid_[k] * binHz;
            b.bandSide[band] += windowSide_[k] * binHz;
        }
    }
    smoothOntoGrid(windowMid_, gridMid_);
    smoothOntoGrid(windowSide_, gridSide_);
    for (std::size_t i = 0; i < grid_.size(); ++i) {
        b.mid[i] += gridMid_[i];
        b.side[i] += gridSide_[i];
    }
    b.spectralFrames += static_cast<double>(openWindowFrames_);
    const int64_t windowStart = openWindow_ * windowFrames_;
    b.seconds += static_cast<double>(std::min(windowFrames_, framesProcessed_ - windowStart)) / sampleRate_;
}

void MatchAnalyzer::smoothOntoGrid(const std::vector<double>& p, std::vector<double>& out) {
    // The density between bin centres is taken as linear; prefix_[k] is its integral from bin 0 to bin k.
    const std::size_t bins = p.size();
    prefix_[0] = 0.0;
    for (std::size_t k = 1; k < bins; ++k)
        prefix_[k] = prefix_[k - 1] + 0.5 * (p[k - 1] + p[k]);
    const auto integral = [&](double x) {
        const auto k = std::min(static_cast<std::size_t>(x), bins - 2);
        const double t = x - static_cast<double>(k);
        return prefix_[k] + t * p[k] + 0.5 * t * t * (p[k + 1] - p[k]);
    };
    for (std::size_t i = 0; i < grid_.size(); ++i) {
        const double lo = gridLowBin_[i], hi = gridHighBin_[i];
        if (lo < 0.0) {
            out[i] = 0.0;
        } else if (hi - lo > 1e-9) {
            out[i] = (integral(hi) - integral(lo)) / (hi - lo);
        } else {
            const auto k = std::min(static_cast<std::size_t>(lo), bins - 2);
            const double t = lo - static_cast<double>(k);
            out[i] = p[k] + t * (p[k + 1] - p[k]);
        }
    }
}

MatchAnalysis MatchAnalyzer::finish() {
    closeWindow();
    openWindow_ = -1;
    truePeak_.flush();

    MatchAnalysis a;
    a.sampleRate = sampleRate_;
    a.fftSize = fftSize_;
    a.durationSeconds = static_cast<double>(framesProcessed_) / sampleRate_;
    a.gateLu = settings_.gateLu;
    a.loudestWindowLufs = loudestWindowLufs_;
    a.integratedLufs = loudness_.integratedLufs();
    a.truePeakDbtp = std::max(truePeak_.truePeakDbtp(), kSilenceDb);
    a.samplePeakDbfs = gainToDb(samplePeak_);
    a.frequencyHz = grid_;

    const double threshold = loudestWindowLufs_ - settings_.gateLu;
    std::vector<double> mid(grid_.size(), 0.0), side(grid_.size(), 0.0);
    double bandMid[kBands] = {}, bandSide[kBands] = {};
    double frames = 0.0, meanSquare = 0.0;
    for (const Bucket& b : buckets_) {
        if (!b.used || (static_cast<double>(b.index) + 0.5) * kBucketLu < threshold) continue;
        frames += b.spectralFrames;
        a.loudSeconds += b.seconds;
        meanSquare += b.meanSquare;
        for (std::size_t i = 0; i < grid_.size(); ++i) {
            mid[i] += b.mid[i];
            side[i] += b.side[i];
        }
        for (int band = 0; band < kBands; ++band) {
            bandMid[band] += b.bandMid[band];
            bandSide[band] += b.bandSide[band];
        }
    }
    a.midDb.assign(grid_.size(), kSilenceDb);
    a.sideDb.assign(grid_.size(), kSilenceDb);
    if (frames > 0.0) {
        for (std::size_t i = 0; i < grid_.size(); ++i) {
            if (gridLowBin_[i] < 0.0) continue;
            a.midDb[i] = std::max(powerToDb(mid[i] / frames), kSilenceDb);
            a.sideDb[i] = std::max(powerToDb(side[i] / frames), kSilenceDb);
        }
        a.loudRmsDbfs = std::max(powerToDb(meanSquare / frames), kSilenceDb);
    }
    for (int band = 0; band < kBands; ++band) {
        MatchWidthBand w;
        w.lowHz = kWidthBandEdgesHz[band];
        w.highHz = std::min(kWidthBandEdgesHz[band + 1], sampleRate_ / 2.0);
        if (frames > 0.0 && w.lowHz < w.highHz) {
            w.midDbfs = std::max(powerToDb(bandMid[band] / frames), kSilenceDb);
            w.sideDbfs = std::max(powerToDb(bandSide[band] / frames), kSilenceDb);
            w.sideToMidDb = w.sideDbfs - w.midDbfs;
        }
        a.widthBands.push_back(w);
    }
    if (a.loudRmsDbfs > kSilenceDb && a.samplePeakDbfs > kSilenceDb)
        a.crestFactorDb = a.samplePeakDbfs - a.loudRmsDbfs;
    if (a.integratedLufs > kSilenceDb && a.truePeakDbtp > kSilenceDb)
        a.plrDb = a.truePeakDbtp - a.integratedLufs;
    return a;
}

} // namespace lathe::dsp
