#include "core/model/SessionDefaults.h"

#include "core/model/StemRole.h"

#include <map>

namespace lathe::core {

std::vector<CompressorSettings> defaultMultibandBands(int count) {
    std::vector<CompressorSettings> bands;
    for (int i = 0; i < count; ++i) {
        // Low bands get slower time constants: a fast attack on bass distorts each cycle of a 50 Hz wave.
        const double position = count > 1 ? static_cast<double>(i) / (count - 1) : 0.5;
        CompressorSettings c;
        c.enabled = true;
        c.threshold_db = -20;
        c.ratio = 1.5;
        c.knee_db = 6;
        c.attack_ms = 30 - 25 * position;
        c.release_ms = 250 - 150 * position;
        bands.push_back(c);
    }
    return bands;
}

Session makeDefaultSession(const FolderScan& scan) {
    Session s;
    s.folder = scan.folder;
    s.song = scan.songName;
    s.mix = scan.mix ? scan.mix->path : std::string();
    s.reference = scan.reference ? scan.reference->path : std::string();

    std::map<std::string, int> roleCounts;
    for (const ScannedFile& file : scan.stems) {
        StemSettings stem;
        stem.role = stemRoleName(file.role);
        const int n = ++roleCounts[stem.role];
        stem.id = n == 1 ? stem.role : stem.role + "_" + std::to_string(n);
        stem.path = file.path;
        s.stems.push_back(std::move(stem));
    }

    if (scan.mix) {
        s.sample_rate = scan.mix->info.sampleRate;
    } else if (!scan.stems.empty()) {
        std::map<int, int> rateCounts;
        for (const ScannedFile& file : scan.stems)
            ++rateCounts[file.info.sampleRate];
        int best = 0, bestCount = 0;
        for (const auto& [rate, count] : rateCounts) // ascending rate, so >= lets a tie go to the higher rate
            if (count >= bestCount) {
                best = rate;
                bestCount = count;
            }
        s.sample_rate = best;
    }

    // Gentle glue: 1.5:1 from -20 dB with a soft knee and slow attack, so transients pass and nothing pumps.
    s.master.compressor.enabled = true;
    s.master.compressor.threshold_db = -20;
    s.master.compressor.ratio = 1.5;
    s.master.compressor.knee_db = 6;
    s.master.compressor.attack_ms = 30;
    s.master.compressor.release_ms = 200;
    s.master.multiband.enabled = false;
    s.master.multiband.crossovers_hz = {150, 2500};
    s.master.multiband.bands = defaultMultibandBands(3);
    s.master.limiter = LimiterSettings{};
    return s;
}

LimiterSettings legacyLimiterSettings() {
    LimiterSettings l;
    l.ceiling_dbtp = -1;
    l.release_ms = 100;
    l.lookahead_ms = 2;
    l.style = "safe";
    l.soft_clip = false;
    l.low_frequency_aware = false;
    l.stereo_link = 1;
    return l;
}
} // namespace lathe::core
