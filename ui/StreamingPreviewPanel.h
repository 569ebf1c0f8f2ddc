#pragma once

#include <QString>
#include <QWidget>

#include <vector>

class QTableWidget;

namespace lathe::ui {

// One platform's loudness normalisation, simplified to what a mastering engineer needs to decide.
struct StreamingPlatform {
    QString name;
    double referenceLufs = -14.0;
    // Whether the platform raises quiet masters. Those that do raise only as far as keeps the true peak at or
    // below upwardPeakLimitDbtp (no limiter is assumed), so a dynamic master is raised less than the gap.
    bool turnsUp = false;
    double upwardPeakLimitDbtp = -1.0;
};

struct StreamingOutcome {
    double gainDb = 0.0;            // applied by the platform (negative = turned down)
    double resultingLufs = 0.0;     // integrated loudness as played
    double resultingPeakDbtp = 0.0; // true peak as played
};

// The model (documented so the numbers can be checked):
//   gap = referenceLufs - integratedLufs
//   gap <= 0            : gain = gap                                   (every platform turns loud masters
//   down) gap > 0, !turnsUp   : gain = 0                                     (quiet masters stay quiet) gap >
//   0, turnsUp    : gain = min(gap, max(0, upwardPeakLimitDbtp - truePeakDbtp)) resultingLufs =
//   integratedLufs + gain, resultingPeakDbtp = truePeakDbtp + gain.
// Platforms (defaults of each service's normal setting, as published in 2024):
//   Spotify -14 (turns up, to -1 dBTP), Apple Music -16 (Sound Check turns up, to -1 dBTP), YouTube -14
//   (down only), Tidal -14 (down only), Amazon Music -14 (down only), Deezer -15 (down only).
StreamingOutcome streamingOutcome(const StreamingPlatform& platform, double integratedLufs,
                                  double truePeakDbtp);
const std::vector<StreamingPlatform>& streamingPlatforms();

// A table: platform, reference, gain applied, resulting peak (red above 0 dBTP: the platform's own decoder
// would clip or limit it).
class StreamingPreviewPanel : public QWidget {
    Q_OBJECT
public:
    explicit StreamingPreviewPanel(QWidget* parent = nullptr);

    // NaN / -inf integrated loudness clears the table (no measurement yet).
    void setMeasurement(double integratedLufs, double truePeakDbtp);
    const std::vector<StreamingOutcome>& outcomes() const { return outcomes_; }
    QTableWidget* table() const { return table_; }

private:
    void refresh();

    QTableWidget* table_ = nullptr;
    double integratedLufs_ = 0.0;
    double truePeakDbtp_ = 0.0;
    bool hasMeasurement_ = false;
    std::vector<StreamingOutcome> outcomes_;
};

} // namespace lathe::ui
