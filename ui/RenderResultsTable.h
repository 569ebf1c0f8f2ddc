#pragma once

#include "core/render/RenderReport.h"

#include <QTableWidget>

namespace lathe::ui {

// The render's results, one row per master: file, LUFS, LRA, true peak, PLR, the limiter's most gain
// reduction and the decoded MP3's true peak; a figure off target or over the ceiling in red. A file name
// never wraps: when the column is too narrow it is elided in the middle (the "_stereo_master" ending and the
// start of the song's name both stay readable), the full name and folder in its tooltip.
class RenderResultsTable : public QTableWidget {
    Q_OBJECT
public:
    explicit RenderResultsTable(QWidget* parent = nullptr);

    void setReport(const core::RenderReport& report);
    void clearResults();
    // The rows as tab-separated plain text with the full file names (for copying and tests).
    QString plainText() const;

    enum Column { File, Lufs, Lra, TruePeak, Plr, MaxGr, Mp3Tp, ColumnCount };

private:
    void fitHeight();
};

} // namespace lathe::ui
