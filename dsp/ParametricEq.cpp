#include "ParametricEq.h"

#include <algorithm>
#include <cassert>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lathe::dsp {
namespace {

constexpr double kMaxFrequencyJump = 4.0;

bool isFlat(const EqBand& b) {
    const bool gainType =
        b.type == FilterType::Bell || b.type == FilterType::LowShelf || b.type == FilterType::HighShelf;
    return !b.enabled || (gainType && b.gainDb == 0.0);
}

} // namespace

void ParametricEq::prepare(double sampleRate, int /*maxBlockFrames*/, int /*numChannels*/) {
    sampleRate_ = sampleRate;
    for (int i = 0; i < kMaxBands; ++i)
        updateBand(i);
    reset();
}

void ParametricEq::reset() {
    for (auto& s : sections_)
        s.reset();
    rebuildActiveList();
}

void ParametricEq::setBand(int index, const EqBand& band) {
    assert(index >= 0 && index < kMaxBands);
    if (index < 0 || index >= kMaxBands) return;
    const EqBand previous = bands_[static_cast<std::size_t>(index)];
    bands_[static_cast<std::size_t>(index)] = band;
    updateBand(index);
    // TDF-II state built up under one design is only roughly right for a nearby one. Across a big jump (a
    // type change, or more than two octaves at once) the stale state rings out as a transient of up to ~+48
    // dB (measured: 20 kHz -> 20 Hz bell jump, 0.5 peak noise in, 138 peak out); a cleared state costs at
    // most a click of the order of the signal itself.
    // A band moved between stereo, mid and side had its state built on another signal.
    const double ratio = band.frequencyHz / previous.frequencyHz;
    if (band.type != previous.type || band.channels != previous.channels ||
        !(ratio < kMaxFrequencyJump && ratio > 1.0 / kMaxFrequencyJump))
        sections_[static_cast<std::size_t>(index)].reset();
    rebuildActiveList();
}

void ParametricEq::setNumBands(int n) {
    numBands_ = std::clamp(n, 0, kMaxBands);
    rebuildActiveList();
}

bool ParametricEq::isBandActive(int index) const {
    return index >= 0 && index < numBands_ && !isFlat(bands_[static_cast<std::size_t>(index)]);
}

void ParametricEq::updateBand(int index) {
    const EqBand& b = bands_[static_cast<std::size_t>(index)];
    sections_[static_cast<std::size_t>(index)].setCoefficients(
        makeFilter(b.type, sampleRate_, b.frequencyHz, b.q, b.gainDb));
}

void ParametricEq::rebuildActiveList() {
    numActive_ = 0;
    anyMidSideActive_ = false;
    for (int i = 0; i < kMaxBands; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        const bool active = isBandActive(i);
        // A band coming back from being skipped would otherwise resume with the state it had when it stopped,
        // which no longer matches the signal: start it from rest instead.
        if (active && !wasActive_[iu]) sections_[iu].reset();
        wasActive_[iu] = active;
        if (active) {
            active_[static_cast<std::size_t>(numActive_++)] = i;
            if (bands_[iu].channels != BandChannels::Stereo) anyMidSideActive_ = true;
        }
    }
}

#if defined(__SSE2__)
// Both channels of a stereo block at once, L and R in the two lanes of an SSE2 register: the two channels'
// recursions are independent, so they share the latency of one. Compile-time section counts keep every
// state in a register.
template <int N>
ParametricEq::StereoCascade<N>::StereoCascade(ParametricEq& eq) : eq_(eq) {
    for (int a = 0; a < N; ++a) {
        Biquad& section = eq.sections_[static_cast<std::size_t>(eq.active_[static_cast<std::size_t>(a)])];
        const BiquadCoefficients& c = section.coefficients();
        b0_[a] = _mm_set1_pd(c.b0);
        b1_[a] = _mm_set1_pd(c.b1);
        b2_[a] = _mm_set1_pd(c.b2);
        a1_[a] = _mm_set1_pd(c.a1);
        a2_[a] = _mm_set1_pd(c.a2);
        const auto& l = section.channelState(0);
        const auto& r = section.channelState(1);
        s1_[a] = _mm_set_pd(r[0], l[0]);
        s2_[a] = _mm_set_pd(r[1], l[1]);
    }
}

template <int N>
void ParametricEq::StereoCascade<N>::finish() {
    for (int a = 0; a < N; ++a) {
        Biquad& section = eq_.sections_[static_cast<std::size_t>(eq_.active_[static_cast<std::size_t>(a)])];
        auto& l = section.channelState(0);
        auto& r = section.channelState(1);
        _mm_storel_pd(&l[0], s1_[a]);
        _mm_storeh_pd(&r[0], s1_[a]);
        _mm_storel_pd(&l[1], s2_[a]);
        _mm_storeh_pd(&r[1], s2_[a]);
    }
}

template class ParametricEq::StereoCascade<1>;
template class ParametricEq::StereoCascade<2>;
template class ParametricEq::StereoCascade<3>;
template class ParametricEq::StereoCascade<4>;
template class ParametricEq::StereoCascade<5>;
template class ParametricEq::StereoCascade<6>;
template class ParametricEq::StereoCascade<7>;
template class ParametricEq::StereoCascade<8>;
#endif

// Per frame in double: a Stereo band runs on left and right (section channels 0 and 1), a Mid or Side band
// on that part alone (section channel 0) and the frame is put back together from the new part and the
// untouched other one.
void ParametricEq::processMidSide(float* left, float* right, int frames) {
    for (int i = 0; i < frames; ++i) {
        double l = left[i], r = right[i];
        for (int a = 0; a < numActive_; ++a) {
            const auto index = static_cast<std::size_t>(active_[static_cast<std::size_t>(a)]);
            Biquad& section = sections_[index];
            switch (bands_[index].channels) {
            case BandChannels::Stereo:
                l = section.processSample(0, l);
                r = section.processSample(1, r);
                break;
            case BandChannels::Mid: {
                const double side = 0.5 * (l - r);
                const double mid = section.processSample(0, 0.5 * (l + r));
                l = mid + side;
                r = mid - side;
                break;
            }
            case BandChannels::Side: {
                const double mid = 0.5 * (l + r);
                const double side = section.processSample(0, 0.5 * (l - r));
                l = mid + side;
                r = mid - side;
                break;
            }
            }
        }
        left[i] = static_cast<float>(l);
        right[i] = static_cast<float>(r);
    }
}

void ParametricEq::process(const AudioBlock& block) {
    if (numActive_ == 0) return;
    const int n = block.numFrames();
    if (anyMidSideActive_ && block.numChannels() == 2) {
        processMidSide(block.channel(0), block.channel(1), n);
        return;
    }
#if defined(__SSE2__)
    if (block.numChannels() == 2) {
        float* left = block.channel(0);
        float* right = block.channel(1);
        const auto run = [&]<int N>() {
            StereoCascade<N> cascade(*this);
            cascade.run(left, right, 0, n);
            cascade.finish();
        };
        switch (numActive_) {
        case 1:
            return run.template operator()<1>();
        case 2:
            return run.template operator()<2>();
        case 3:
            return run.template operator()<3>();
        case 4:
            return run.template operator()<4>();
        case 5:
            return run.template operator()<5>();
        case 6:
            return run.template operator()<6>();
        case 7:
            return run.template operator()<7>();
        default:
            return run.template operator()<8>();
        }
    }
#endif
    for (int c = 0; c < block.numChannels(); ++c) {
        float* x = block.channel(c);
        for (int i = 0; i < n; ++i) {
            double y = x[i];
            for (int a = 0; a < numActive_; ++a)
                y = sections_[static_cast<std::size_t>(active_[static_cast<std::size_t>(a)])].processSample(
                    c, y);
            x[i] = static_cast<float>(y);
        }
    }
}

double ParametricEq::magnitudeDb(double frequencyHz, BandChannels part) const {
    if (part == BandChannels::Stereo) return magnitudeDb(frequencyHz);
    double sum = 0.0;
    for (int a = 0; a < numActive_; ++a) {
        const auto index = static_cast<std::size_t>(active_[static_cast<std::size_t>(a)]);
        const BandChannels channels = bands_[index].channels;
        if (channels == BandChannels::Stereo || channels == part)
            sum += lathe::dsp::magnitudeDb(sections_[index].coefficients(), sampleRate_, frequencyHz);
    }
    return sum;
}

double ParametricEq::magnitudeDb(double frequencyHz) const {
    double sum = 0.0;
    for (int a = 0; a < numActive_; ++a)
        sum += lathe::dsp::magnitudeDb(
            sections_[static_cast<std::size_t>(active_[static_cast<std::size_t>(a)])].coefficients(),
            sampleRate_, frequencyHz);
    return sum;
}

} // namespace lathe::dsp
